//! Registry profiles: what is known about each registry's quirks, with the public source of
//! every fact, and a static lint that checks a manifest or index and its reference against
//! them before any request is sent.
//!
//! The facts come from the research note `registry-quirks.md` (2026-12): registry source code
//! at a named commit, vendor documentation and issue threads, none of it tested against a live
//! registry here. Each [`Fact`] and each [`Rule`] cites its [`Source`]s by tag (`S1`…`S51`) with
//! a date, and a [`Confidence`] level, so a tool can say where a warning comes from.
//!
//! A profile is found by the registry's host ([`Profile::for_host`]: `ghcr.io`,
//! `*.dkr.ecr.*.amazonaws.com`, …) or by name for a self-hosted registry ([`Profile::named`]:
//! `harbor`, `zot`, `distribution`, `quay`, `gitlab`); an unknown host gets the `generic`
//! profile, which warns about what is not portable.
//!
//! ```
//! use ocikit_core::profiles::{lint_for_registry, Target};
//!
//! let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
//!   "artifactType":"application/vnd.example.thing.v1+json",
//!   "config":{"mediaType":"application/vnd.oci.empty.v1+json",
//!     "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
//!   "layers":[{"mediaType":"application/octet-stream",
//!     "digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0}]}"#;
//! let lint = lint_for_registry(manifest, &Target::parse("registry.gitlab.com/group/project/app:v1")?, None)?;
//! assert_eq!(lint.profile.name, "gitlab.com");
//! let codes: Vec<&str> = lint.findings.iter().map(|f| f.code).collect();
//! assert_eq!(codes, ["RQ001", "RQ003"]); // a zero-byte layer, an artifactType GitLab does not know
//! assert!(!lint.ok());
//! # Ok::<(), ocikit_core::Error>(())
//! ```

mod data;
mod gitlab;
mod lint;
mod rules;
mod sources;

use std::fmt;

pub use data::PROFILES;
pub use gitlab::GITLAB_MEDIA_TYPES;
pub use lint::{RegistryLint, Target, lint_for_registry, lint_target};
pub use rules::RULES;
pub use sources::SOURCES;

use crate::Severity;

/// One public source a fact or rule rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The tag facts and rules cite, `"S1"`…`"S51"`.
    pub tag: &'static str,
    /// Where it is: repository and path at a commit, issue, or documentation page.
    pub cite: &'static str,
    /// The date of the source (not of a live test), `YYYY-MM-DD` or coarser.
    pub date: &'static str,
}

impl Source {
    /// The source with this tag.
    pub fn get(tag: &str) -> Option<&'static Source> {
        SOURCES.iter().find(|s| s.tag == tag)
    }
}

/// How far a fact can be trusted (the research note's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Confidence {
    /// Source code at a named commit, or the vendor's own documentation.
    High,
    /// An issue or PR with logs from a real registry, or a maintainer's statement.
    Medium,
    /// An older, second-hand or undated report: recheck before relying on it.
    Low,
}

impl Confidence {
    /// `"high"`, `"medium"` or `"low"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a registry is known to do about one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Support {
    /// It does (as of the sources' dates).
    Yes,
    /// It does not.
    No,
    /// Not verified: probe it (`ocikit doctor`).
    Unknown,
}

/// One known behaviour of a registry, with its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// What it is about, a stable key: `"referrers-api"`, `"oci-subject"`, `"manifest-max"`,
    /// `"blob-max"`, `"media-types"`, `"subject"`, `"names"`, `"chunked-upload"`, `"delete"`,
    /// `"tag-list"`, `"auth"`, `"zero-byte-blobs"`, `"index"`, `"writes"`.
    pub topic: &'static str,
    /// The behaviour, in a sentence.
    pub text: &'static str,
    /// The tags of the sources it rests on.
    pub sources: &'static [&'static str],
    /// The date the sources give (not of a live test).
    pub as_of: &'static str,
    /// How far it can be trusted.
    pub confidence: Confidence,
}

/// How a registry restricts repository names beyond the distribution-spec grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameRule {
    /// The distribution-spec grammar alone.
    Spec,
    /// Docker Hub: exactly `namespace/repo`, the repo part 2–255 of `[a-z0-9_-]` (no `.`).
    DockerHub,
    /// Amazon ECR: 2–256 characters, starting with a letter.
    Ecr,
    /// Artifact Registry: `PROJECT/REPO/IMAGE[/…]`, at least three components.
    ArtifactRegistry,
    /// GitLab: the project path and at most two more components.
    GitLab,
}

/// A registry profile: what is known about one registry (or one self-hosted product).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// The name `--registry-profile` takes: `"ghcr"`, `"harbor"`, …
    pub name: &'static str,
    /// The product, for people: `"GitHub Container Registry"`.
    pub title: &'static str,
    /// Host patterns that select it (`*` stands for one DNS label or part of one, without
    /// dots); empty for a self-hosted product, which is chosen by name.
    pub hosts: &'static [&'static str],
    /// The referrers API (`GET /v2/<name>/referrers/<digest>`).
    pub referrers_api: Support,
    /// The `OCI-Subject` header on a manifest PUT with a `subject`.
    pub oci_subject: Support,
    /// The largest manifest accepted, when known.
    pub manifest_max: Option<u64>,
    /// The largest blob accepted, when known: bytes, how the registry writes it, and how far
    /// the figure can be trusted (a low-confidence limit only warns).
    pub blob_max: Option<(u64, &'static str, Confidence)>,
    /// Zero-byte blobs are refused (Harbor 500, Artifact Registry 400).
    pub refuses_zero_byte_blobs: bool,
    /// Media types with parameters are refused (the image-spec JSON schema's regex).
    pub refuses_media_type_parameters: bool,
    /// Only the media types of [`GITLAB_MEDIA_TYPES`] are accepted.
    pub media_type_allow_list: bool,
    /// A `subject` must already be stored in the same repository.
    pub subject_must_exist: bool,
    /// Docker media types are refused unless the registry is configured for them.
    pub refuses_docker_media_types: bool,
    /// An index's children must be stored before it.
    pub index_children_must_exist: bool,
    /// A port in the registry host (`:443`) is refused.
    pub refuses_port: bool,
    /// No pushes at all.
    pub read_only: bool,
    /// A manifest without layers is refused.
    pub refuses_empty_layers: bool,
    /// The largest PATCH body of a chunked upload (GHCR: 4 MiB, 416 above).
    pub chunk_max: Option<u64>,
    /// The smallest part of a chunked upload but the last (ECR: 5 MiB).
    pub chunk_min: Option<u64>,
    /// Chunked uploads lose data (ECR drops later chunks): the engine PUTs each blob whole.
    pub chunked_upload_broken: bool,
    /// The largest tag page (`n`) the registry answers without an error (ECR: 1000).
    pub tag_page_max: Option<u64>,
    /// The longest `artifactType` the registry models.
    pub artifact_type_max: Option<usize>,
    /// Repository name rules.
    pub names: NameRule,
    /// Everything known, each with its sources (for `ocikit doctor` and explanations).
    pub facts: &'static [Fact],
}

impl Profile {
    /// The profile of a registry host (`host[:port]`), if one matches; the port is ignored.
    pub fn for_host(host: &str) -> Option<&'static Profile> {
        let host = host.to_ascii_lowercase();
        let name = strip_port(&host);
        PROFILES
            .iter()
            .find(|p| p.hosts.iter().any(|pattern| host_matches(pattern, name)))
    }

    /// The profile with this name (`"harbor"`, `"zot"`, `"distribution"`, `"quay"`, `"gitlab"`,
    /// or a hosted registry's name such as `"ghcr"`).
    pub fn named(name: &str) -> Option<&'static Profile> {
        PROFILES.iter().find(|p| p.name == name)
    }

    /// The profile with this name, or [`Error::OptionsInvalid`](crate::Error::OptionsInvalid)
    /// naming every profile (for a host's `--registry-profile` or a session's `profile`).
    ///
    /// # Errors
    /// `OPTIONS_INVALID` for a name no profile has.
    pub fn by_name(name: &str) -> Result<&'static Profile, crate::Error> {
        Self::named(name).ok_or(crate::Error::OptionsInvalid {
            reason: "unknown registry profile: use one of generic, dockerhub, ghcr, ecr, \
                     ecr-public, acr, gar, gcr, quay.io, gitlab.com, harbor, zot, distribution, \
                     quay, gitlab",
        })
    }

    /// The profile for a registry nothing is known about: portability warnings only.
    pub fn generic() -> &'static Profile {
        &PROFILES[0]
    }

    /// The names [`named`](Self::named) accepts, in table order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PROFILES.iter().map(|p| p.name)
    }
}

/// `host` without a trailing `:port` (an IPv6 literal keeps its brackets).
fn strip_port(host: &str) -> &str {
    match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => &host[..colon],
        _ => host,
    }
}

/// Matches a host against a pattern whose `*` stands for one or more characters other than
/// `.` (so `*.azurecr.io` matches `x.azurecr.io`, not `a.b.azurecr.io` nor `azurecr.io`).
fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == host,
        Some((before, after)) => {
            let Some(rest) = host.strip_prefix(before) else {
                return false;
            };
            // The star takes 1..n non-dot characters; try every split.
            let label_end = rest.find('.').unwrap_or(rest.len());
            (1..=label_end).any(|n| host_matches(after, &rest[n..]))
        }
    }
}

/// One lint rule of the research note: a stable code, when it applies, and its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `"RQ001"`…
    pub code: &'static str,
    /// A short name: `"zero-byte-blob"`.
    pub name: &'static str,
    /// Static (`true`: the document or reference alone decides, run by
    /// [`lint_for_registry`]) or needing a probe or a transfer plan (`false`).
    pub is_static: bool,
    /// The worst severity it has on any registry.
    pub severity: Severity,
    /// What triggers it.
    pub trigger: &'static str,
    /// The source tags.
    pub sources: &'static [&'static str],
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// `"RQ001 zero-byte-blob [S35,S36,S30]"`: what findings carry as their `rule`.
    pub label: &'static str,
}

impl Rule {
    /// The rule with this code.
    pub fn get(code: &str) -> Option<&'static Rule> {
        RULES.iter().find(|r| r.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_their_patterns() {
        let name = |host| Profile::for_host(host).map(|p| p.name);
        assert_eq!(
            name("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
            Some("ecr")
        );
        assert_eq!(name("a.b.dkr.ecr.eu-west-1.amazonaws.com"), None);
        assert_eq!(name("myreg.azurecr.io:443"), Some("acr"));
        assert_eq!(name("MyReg.AzureCR.io"), Some("acr"));
        assert_eq!(name("azurecr.io"), None);
        assert_eq!(name("europe-west1-docker.pkg.dev"), Some("gar"));
        assert_eq!(name("docker.pkg.dev"), None);
        assert_eq!(name("eu.gcr.io"), Some("gcr"));
        assert_eq!(name("registry-1.docker.io"), Some("dockerhub"));
        assert_eq!(name("localhost:5000"), None);
        assert_eq!(name("[::1]:5000"), None);
    }

    #[test]
    fn every_cited_source_and_rule_exists() {
        for profile in PROFILES {
            for fact in profile.facts {
                for tag in fact.sources {
                    assert!(Source::get(tag).is_some(), "{} cites {tag}", profile.name);
                }
            }
        }
        for rule in RULES {
            for tag in rule.sources {
                assert!(Source::get(tag).is_some(), "{} cites {tag}", rule.code);
            }
            assert!(rule.label.starts_with(rule.code), "{}", rule.code);
        }
    }
}
