//! Registry references: `registry/repository[:tag][@digest]` (distribution-spec names and tags,
//! the way ORAS reads them: the first component is always the registry).
//!
//! ```text
//! registry    ::= host [":" port]              host: DNS name, IPv4, or "[" IPv6address "]"
//! repository  ::= component ("/" component)*   component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
//! tag         ::= [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
//! ```
//!
//! An IPv6 host is an RFC 4291 §2.2 text address as RFC 3986's `IPv6address` writes it: eight
//! groups of one to four hex digits, or fewer with one `::`, the last 32 bits optionally as a
//! dotted-decimal IPv4 address; no zone identifier (RFC 6874), as in distribution/reference.
//! The repository path is at most 255 characters ([`MAX_NAME_LEN`]); the registry does not
//! count towards it, as in distribution/reference v0.6, Docker and containerd.

use std::fmt;
use std::str::FromStr;

use crate::{Digest, Error};

/// The longest repository path accepted, registry not included (distribution/reference's
/// `RepositoryNameTotalLengthMax`, which v0.6 applies to the path alone).
pub const MAX_NAME_LEN: usize = 255;

/// A parsed reference to a manifest in a registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses `registry/repository[:tag][@digest]`.
    ///
    /// # Errors
    /// [`Error::ReferenceInvalid`] naming the part that breaks the grammar, or
    /// [`Error::DigestInvalid`] for a malformed digest.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::ReferenceInvalid {
            value: text.to_owned(),
            reason,
        };
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(Digest::parse(digest)?)),
            None => (text, None),
        };
        let (registry, path) = rest.split_once('/').ok_or_else(|| {
            invalid(
                "a reference needs a registry and a repository: registry/repository[:tag][@digest]",
            )
        })?;
        // A tag follows the last ':' after the last '/'.
        let (repository, tag) = match path.rfind(':') {
            Some(colon) => (&path[..colon], Some(&path[colon + 1..])),
            None => (path, None),
        };
        Self::checked(text, registry, repository, tag, digest)
    }

    /// Parses a reference that may be relative to `registry` (`host[:port]`), as a client of
    /// that registry reads it: `"docs/app:v1"` is `registry/docs/app:v1`. The first component
    /// names a registry only when it looks like a host (a `.` or `:` in it, or `localhost`,
    /// Docker's rule) or is `registry` itself; a reference with such a component is parsed as
    /// [`parse`](Self::parse) does.
    ///
    /// # Errors
    /// As [`parse`](Self::parse), for the full text.
    pub fn parse_relative(text: &str, registry: &str) -> Result<Self, Error> {
        let names_registry = text
            .split_once('/')
            .map(|(first, _)| first)
            .filter(|first| !first.contains('@'))
            .is_some_and(|first| {
                first == registry
                    || first == "localhost"
                    || first.contains('.')
                    || first.contains(':')
            });
        if names_registry {
            Self::parse(text)
        } else {
            Self::parse(&format!("{registry}/{text}"))
        }
    }

    /// A reference from its parts.
    ///
    /// # Errors
    /// [`Error::ReferenceInvalid`] for a part that breaks the grammar.
    pub fn new(
        registry: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<Digest>,
    ) -> Result<Self, Error> {
        Self::checked(
            &format!("{registry}/{repository}"),
            registry,
            repository,
            tag,
            digest,
        )
    }

    /// Checks the parts of a reference; `text` is what errors quote.
    fn checked(
        text: &str,
        registry: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<Digest>,
    ) -> Result<Self, Error> {
        let invalid = |reason| Error::ReferenceInvalid {
            value: text.to_owned(),
            reason,
        };
        check_registry(registry).map_err(invalid)?;
        check_repository(repository).map_err(invalid)?;
        if repository.len() > MAX_NAME_LEN {
            return Err(invalid("the repository is longer than 255 characters"));
        }
        if let Some(tag) = tag {
            check_tag(tag).map_err(invalid)?;
        }
        Ok(Self {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            tag: tag.map(str::to_owned),
            digest,
        })
    }

    /// The registry host, with its port if it has one.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if given.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if given.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// What to ask the registry for: the digest if there is one, else the tag, else `latest`.
    pub fn target(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// The same repository with another tag or digest.
    #[must_use]
    pub fn with_target(&self, tag: Option<&str>, digest: Option<Digest>) -> Self {
        Self {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            tag: tag.map(str::to_owned),
            digest,
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

fn check_registry(registry: &str) -> Result<(), &'static str> {
    let (host, port) = split_host_port(registry)?;
    if let Some(ipv6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if ipv6.contains('%') {
            return Err("an IPv6 registry address may not have a zone identifier");
        }
        if !is_ipv6(ipv6) {
            return Err(
                "the registry's IPv6 address is malformed (RFC 4291: eight groups of 1-4 hex digits, or fewer with one '::', optionally ending in an IPv4 address)",
            );
        }
    } else {
        let label_ok = |label: &str| {
            let bytes = label.as_bytes();
            !bytes.is_empty()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes[0] != b'-'
                && bytes[bytes.len() - 1] != b'-'
        };
        if !host.split('.').all(label_ok) {
            return Err(
                "the registry host must be DNS labels of letters, digits and inner '-', separated by '.'",
            );
        }
    }
    if let Some(port) = port {
        if port.is_empty()
            || port.len() > 5
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u32>().map_or(true, |p| p > 65_535)
        {
            return Err("the registry port must be a number from 0 to 65535");
        }
    }
    Ok(())
}

/// RFC 3986 `IPv6address` (RFC 4291 §2.2 text forms 1 to 3): `x:x:x:x:x:x:x:x` with 1 to 4
/// hex digits per group, one `::` standing for one or more zero groups, and the last two groups
/// optionally written as an IPv4 address (`::ffff:192.0.2.1`).
fn is_ipv6(text: &str) -> bool {
    /// The number of 16-bit groups `part` holds (`a:b:c`, the last maybe IPv4), if valid.
    fn groups(part: &str, ipv4_tail: bool) -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let pieces: Vec<&str> = part.split(':').collect();
        let mut count = 0;
        for (i, piece) in pieces.iter().enumerate() {
            if ipv4_tail && i == pieces.len() - 1 && piece.contains('.') {
                if !is_ipv4(piece) {
                    return None;
                }
                count += 2;
            } else if (1..=4).contains(&piece.len()) && piece.bytes().all(|b| b.is_ascii_hexdigit())
            {
                count += 1;
            } else {
                return None;
            }
        }
        Some(count)
    }
    match text.split_once("::") {
        // "::" stands for at least one zero group, so at most seven are written.
        Some((head, tail)) => {
            !tail.contains("::")
                && matches!(
                    (groups(head, false), groups(tail, true)),
                    (Some(h), Some(t)) if h + t <= 7
                )
        }
        None => groups(text, true) == Some(8),
    }
}

/// RFC 3986 `IPv4address`: four `dec-octet`s (0 to 255, no leading zeros) joined by dots.
fn is_ipv4(text: &str) -> bool {
    let octets: Vec<&str> = text.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|octet| {
            (1..=3).contains(&octet.len())
                && octet.bytes().all(|b| b.is_ascii_digit())
                && (octet.len() == 1 || !octet.starts_with('0'))
                && octet.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// `host[:port]`, where host may be a bracketed IPv6 address.
fn split_host_port(registry: &str) -> Result<(&str, Option<&str>), &'static str> {
    if registry.is_empty() {
        return Err("the registry is empty");
    }
    if registry.starts_with('[') {
        let end = registry
            .find(']')
            .ok_or("an IPv6 registry address needs a closing ']'")?;
        let rest = &registry[end + 1..];
        let port = match rest {
            "" => None,
            _ => Some(
                rest.strip_prefix(':')
                    .ok_or("only :port may follow an IPv6 registry address")?,
            ),
        };
        return Ok((&registry[..=end], port));
    }
    Ok(match registry.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (registry, None),
    })
}

fn check_repository(repository: &str) -> Result<(), &'static str> {
    if repository.is_empty() {
        return Err("the repository is empty");
    }
    for component in repository.split('/') {
        let bytes = component.as_bytes();
        let lower_alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !bytes.first().is_some_and(lower_alnum) || !bytes.last().is_some_and(lower_alnum) {
            return Err("repository components start and end with [a-z0-9]");
        }
        let mut i = 0;
        while i < bytes.len() {
            if lower_alnum(&bytes[i]) {
                i += 1;
                continue;
            }
            // Separators: '.', '_', '__', or one or more '-'.
            let run = bytes[i..].iter().take_while(|b| !lower_alnum(b)).count();
            let separator = &bytes[i..i + run];
            let ok =
                matches!(separator, b"." | b"_" | b"__") || separator.iter().all(|&b| b == b'-');
            if !ok {
                return Err(if separator.iter().any(u8::is_ascii_uppercase) {
                    "repository names are lowercase"
                } else {
                    "repository components are [a-z0-9] joined by '.', '_', '__' or dashes"
                });
            }
            i += run;
        }
    }
    Ok(())
}

fn check_tag(tag: &str) -> Result<(), &'static str> {
    let bytes = tag.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if !bytes.first().is_some_and(word) {
        return Err("a tag starts with [a-zA-Z0-9_]");
    }
    if bytes.len() > 128 {
        return Err("a tag is at most 128 characters");
    }
    if !bytes.iter().all(|b| word(b) || *b == b'.' || *b == b'-') {
        return Err("a tag is made of [a-zA-Z0-9_.-]");
    }
    Ok(())
}

/// Checks a tag on its own (for `--oci-layout DIR:TAG` and tagging).
///
/// # Errors
/// [`Error::ReferenceInvalid`].
pub fn check_tag_text(tag: &str) -> Result<(), Error> {
    check_tag(tag).map_err(|reason| Error::ReferenceInvalid {
        value: tag.to_owned(),
        reason,
    })
}

#[cfg(test)]
mod relative_tests {
    use super::Reference;

    #[test]
    fn a_reference_relative_to_a_registry() {
        let parsed = |text| {
            Reference::parse_relative(text, "localhost:5000").expect("a valid relative reference")
        };
        let docs = parsed("py/app:v1");
        assert_eq!(
            (docs.registry(), docs.repository(), docs.tag()),
            ("localhost:5000", "py/app", Some("v1"))
        );
        assert_eq!(parsed("app").repository(), "app");
        assert_eq!(parsed("localhost:5000/py/app").repository(), "py/app");
        let other = parsed("ghcr.io/py/app:v1");
        assert_eq!(
            (other.registry(), other.repository()),
            ("ghcr.io", "py/app")
        );
        assert_eq!(parsed("localhost/x").registry(), "localhost");
        let plain = Reference::parse_relative("registry/x", "registry")
            .expect("a valid relative reference");
        assert_eq!((plain.registry(), plain.repository()), ("registry", "x"));
        assert!(Reference::parse_relative("Py/App", "localhost:5000").is_err());
    }
}
