//! Authentication challenges and tokens (distribution-spec "Authentication", the Docker token
//! protocol, RFC 7235 and RFC 6750).
//!
//! A registry answers 401 with `WWW-Authenticate` challenges; the engine reads them, works out
//! the scope an operation needs, and describes the token request for the host to send.

use std::fmt;

/// One challenge of a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="…"`: send credentials with every request.
    Basic {
        /// The protection space.
        realm: Option<String>,
    },
    /// `Bearer realm="…",service="…",scope="…"`: fetch a token from `realm`.
    Bearer(BearerChallenge),
    /// Any other scheme, kept for error messages.
    Other {
        /// The scheme as sent.
        scheme: String,
    },
}

/// The parameters of a Bearer challenge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BearerChallenge {
    /// Where tokens come from (an absolute URL).
    pub realm: String,
    /// The service the token is for (passed back to the realm).
    pub service: Option<String>,
    /// The scopes the registry asked for, space-separated in the header.
    pub scopes: Vec<String>,
    /// RFC 6750 `error`: `invalid_token` (expired), `insufficient_scope`, …
    pub error: Option<String>,
}

/// Parses every challenge in one `WWW-Authenticate` header value.
///
/// The grammar (RFC 7235 §4.1) lets one header carry several challenges separated by commas,
/// each `scheme [token68 | #auth-param]`, so a comma can end a parameter or a challenge; a new
/// challenge starts where a token is followed by whitespace and not by `=`.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut challenges = Vec::new();
    let mut lexer = Lexer { rest: header };
    while let Some(scheme) = lexer.next_scheme() {
        let mut params: Vec<(String, String)> = Vec::new();
        loop {
            let checkpoint = lexer.rest;
            lexer.skip_separators();
            let Some(name) = lexer.token() else {
                break;
            };
            lexer.skip_whitespace();
            if !lexer.eat('=') {
                // A token not followed by '=' is the next challenge's scheme (or a token68).
                lexer.rest = checkpoint;
                break;
            }
            lexer.skip_whitespace();
            let value = lexer.quoted().or_else(|| lexer.token().map(str::to_owned));
            params.push((name.to_ascii_lowercase(), value.unwrap_or_default()));
        }
        let param = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        challenges.push(match scheme.to_ascii_lowercase().as_str() {
            "basic" => Challenge::Basic {
                realm: param("realm"),
            },
            "bearer" => Challenge::Bearer(BearerChallenge {
                realm: param("realm").unwrap_or_default(),
                service: param("service"),
                scopes: param("scope")
                    .map(|s| {
                        s.split(' ')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                error: param("error"),
            }),
            _ => Challenge::Other {
                scheme: scheme.to_owned(),
            },
        });
    }
    challenges
}

struct Lexer<'a> {
    rest: &'a str,
}

impl<'a> Lexer<'a> {
    fn skip_whitespace(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn skip_separators(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t', ',']);
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// An RFC 7230 token.
    fn token(&mut self) -> Option<&'a str> {
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)))
            .unwrap_or(self.rest.len());
        if end == 0 {
            return None;
        }
        let (token, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(token)
    }

    /// A scheme, skipping any token68 or garbage before the next one.
    fn next_scheme(&mut self) -> Option<&'a str> {
        loop {
            self.skip_separators();
            if self.rest.is_empty() {
                return None;
            }
            if let Some(token) = self.token() {
                // token68 values (`Basic dXNlcg==`) end in '=' padding; skip them.
                let padded = self.rest.starts_with('=');
                self.rest = self.rest.trim_start_matches('=');
                if !padded {
                    return Some(token);
                }
            } else if self.quoted().is_none() {
                // Something that is neither a token nor a quoted string: skip one character.
                let mut chars = self.rest.chars();
                chars.next();
                self.rest = chars.as_str();
            }
        }
    }

    /// A quoted-string, unescaped.
    fn quoted(&mut self) -> Option<String> {
        let body = self.rest.strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = &body[i + 1..];
                    return Some(value);
                }
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                c => value.push(c),
            }
        }
        // Unterminated: take the rest.
        self.rest = "";
        Some(value)
    }
}

/// What an operation does in a repository, for token scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Read manifests, blobs and tags.
    Pull,
    /// Write manifests and blobs (pull is implied by registries' token servers only sometimes,
    /// so push operations ask for both).
    Push,
    /// Delete manifests and blobs.
    Delete,
}

impl Action {
    /// `pull`, `push` or `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pull => "pull",
            Self::Push => "push",
            Self::Delete => "delete",
        }
    }
}

/// A token scope: `repository:<name>:<actions>` (the Docker token protocol's scope grammar),
/// or the registry's catalog, `registry:catalog:*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    /// The repository (empty for the catalog).
    pub repository: String,
    /// The actions, sorted, without duplicates.
    pub actions: Vec<Action>,
    /// The registry's catalog (`GET /v2/_catalog`) rather than a repository: no repository
    /// token covers it.
    pub catalog: bool,
}

impl Scope {
    /// A repository scope with `actions`.
    pub fn repository(repository: &str, actions: &[Action]) -> Self {
        let mut actions = actions.to_vec();
        actions.sort_unstable();
        actions.dedup();
        Self {
            repository: repository.to_owned(),
            actions,
            catalog: false,
        }
    }

    /// The catalog's scope, `registry:catalog:*`.
    pub fn catalog() -> Self {
        Self {
            repository: String::new(),
            actions: Vec::new(),
            catalog: true,
        }
    }

    /// Whether a token for `self` also covers `other`.
    pub fn covers(&self, other: &Self) -> bool {
        self.catalog == other.catalog
            && self.repository == other.repository
            && other.actions.iter().all(|a| self.actions.contains(a))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.catalog {
            return f.write_str("registry:catalog:*");
        }
        write!(f, "repository:{}:", self.repository)?;
        for (i, action) in self.actions.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(action.as_str())?;
        }
        Ok(())
    }
}

/// Why a token realm may not receive credentials, or `None` when it may (DESIGN.md "Security
/// policy"; oras-go 2.6.1's `validateRealm`, and stricter):
///
/// - the realm is an absolute `http` or `https` URL of printable ASCII, without userinfo or
///   fragment (a space or control character is a request the host could not even send);
/// - a plain-`http` realm only for a registry that is itself plain HTTP, on the same host (a
///   loopback test registry): an HTTPS registry's credentials never travel in clear;
/// - an IP literal that is loopback, private, link-local, unspecified, shared, multicast or
///   broadcast (IPv4, IPv6, or IPv4 inside IPv6, in any of the forms a URL parser accepts, such
///   as `127.1` or `0x7f000001`) or the name `localhost` only when it is the registry's own host.
///
/// `registry_base` is the registry's `scheme://host[:port]`.
pub fn realm_refusal(realm: &str, registry_base: &str) -> Option<String> {
    if let Some(c) = realm.chars().find(|c| !c.is_ascii_graphic()) {
        return Some(format!(
            "it contains {c:?}, which no URL may carry unencoded"
        ));
    }
    let Some((scheme, rest)) = realm.split_once("://") else {
        return Some("it is not an absolute URL".into());
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Some(format!("the scheme {scheme:?} is not http or https"));
    }
    if realm.contains('#') {
        return Some("it has a fragment".into());
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return Some("it carries userinfo".into());
    }
    let Some(host) = url_host(authority) else {
        return Some(format!(
            "its host {authority:?} is not a host name or an IP address"
        ));
    };
    let (registry_scheme, registry_authority) = registry_base
        .split_once("://")
        .unwrap_or(("https", registry_base));
    let registry_host = url_host(registry_authority);
    let same_host = registry_host.as_ref() == Some(&host);
    if scheme == "http" {
        if registry_scheme != "http" {
            return Some(
                "it is plain HTTP and the registry is HTTPS: the credentials would travel in clear"
                    .into(),
            );
        }
        if !same_host {
            return Some("it is plain HTTP on another host than the plain-HTTP registry".into());
        }
    }
    if !same_host {
        if let Some(kind) = host.internal() {
            return Some(format!(
                "it is a {kind} address that is not the registry's own host"
            ));
        }
    }
    None
}

/// A URL's host, normalized: an IP address in whatever form URL parsers accept, or a
/// lowercase DNS name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum UrlHost {
    V4(std::net::Ipv4Addr),
    V6(std::net::Ipv6Addr),
    Name(String),
}

fn url_host(authority: &str) -> Option<UrlHost> {
    if let Some(v6) = authority.strip_prefix('[') {
        let (address, after) = v6.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return address.parse().ok().map(UrlHost::V6);
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if port.is_some_and(|p| !is_port(p)) || host.is_empty() {
        return None;
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    // WHATWG URL parsers (fetch) and inet_aton (Python's resolver) read a host whose last label
    // is numeric as an IPv4 address ("127.1", "0x7f000001", "2130706433").
    let last = host.rsplit('.').next().unwrap_or_default();
    if last.starts_with(|c: char| c.is_ascii_digit()) {
        return parse_ipv4_loose(&host).map(UrlHost::V4);
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return None;
    }
    Some(UrlHost::Name(host))
}

fn is_port(port: &str) -> bool {
    port.is_empty() || (port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
}

/// IPv4 in the inet_aton forms: one to four parts, each decimal, octal (`0` prefix) or
/// hexadecimal (`0x` prefix), the last filling the remaining bytes.
fn parse_ipv4_loose(host: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        let (digits, radix) =
            if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
                (hex, 16)
            } else if part.len() > 1 && part.starts_with('0') {
                (&part[1..], 8)
            } else {
                (*part, 10)
            };
        // Digits only, and no empty part but a bare `0x`: `from_str_radix` would also take a
        // sign ("127.0.0+1"), and "127..1" has no number in it. URL parsers read such a host as
        // a DNS name, so it must not pass for the registry's own address (fuzz findings).
        if (digits.is_empty() && radix != 16) || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let value = if digits.is_empty() {
            0
        } else {
            u64::from_str_radix(digits, radix).ok()?
        };
        numbers.push(value);
    }
    let (last, init) = numbers.split_last()?;
    let mut address: u64 = 0;
    for (i, n) in init.iter().enumerate() {
        if *n > 255 {
            return None;
        }
        address |= n << (8 * (3 - i));
    }
    if *last >= 1u64 << (8 * (4 - init.len())) {
        return None;
    }
    address |= last;
    u32::try_from(address).ok().map(std::net::Ipv4Addr::from)
}

impl UrlHost {
    /// The kind of non-public address this is, if it is one.
    fn internal(&self) -> Option<&'static str> {
        match self {
            Self::V4(v4) => v4_kind(*v4),
            Self::V6(v6) => v6_kind(*v6),
            Self::Name(name) => {
                (name == "localhost" || name.ends_with(".localhost")).then_some("loopback")
            }
        }
    }
}

fn v4_kind(ip: std::net::Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 0 {
        Some("unspecified")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("multicast or reserved")
    } else {
        None
    }
}

fn v6_kind(ip: std::net::Ipv6Addr) -> Option<&'static str> {
    let segments = ip.segments();
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
    // addresses reach the IPv4 address inside.
    let embedded = match segments {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some((hi, lo)),
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 => Some((hi, lo)),
        _ => None,
    };
    if let Some((hi, lo)) = embedded {
        let v4 = std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
        return v4_kind(v4);
    }
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if segments[0] & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if segments[0] & 0xffc0 == 0xfe80 || segments[0] & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast or reserved")
    } else {
        None
    }
}

/// Whether a token can go in an `Authorization` header as is: printable ASCII without spaces
/// (RFC 6750 `b64token` is narrower; registries send JWTs and opaque strings within it).
pub fn is_header_safe_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(
        realm: &str,
        service: Option<&str>,
        scopes: &[&str],
        error: Option<&str>,
    ) -> Challenge {
        Challenge::Bearer(BearerChallenge {
            realm: realm.into(),
            service: service.map(Into::into),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            error: error.map(Into::into),
        })
    }

    #[test]
    fn parses_the_spec_examples_and_hard_cases() {
        let cases: Vec<(&str, Vec<Challenge>)> = vec![
            (
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#,
                vec![bearer(
                    "https://auth.docker.io/token",
                    Some("registry.docker.io"),
                    &["repository:samalba/my-app:pull,push"],
                    None,
                )],
            ),
            (
                r#"Basic realm="Registry Realm""#,
                vec![Challenge::Basic {
                    realm: Some("Registry Realm".into()),
                }],
            ),
            ("basic", vec![Challenge::Basic { realm: None }]),
            (
                r#"Basic realm="a", Bearer realm="https://t.example/token", service="r""#,
                vec![
                    Challenge::Basic {
                        realm: Some("a".into()),
                    },
                    bearer("https://t.example/token", Some("r"), &[], None),
                ],
            ),
            (
                r#"Bearer realm="https://t.example/token",error="insufficient_scope",scope="repository:a:pull repository:b:pull""#,
                vec![bearer(
                    "https://t.example/token",
                    None,
                    &["repository:a:pull", "repository:b:pull"],
                    Some("insufficient_scope"),
                )],
            ),
            (
                r#"BEARER REALM="https://t.example/\"q\"",service=unquoted"#,
                vec![bearer(
                    "https://t.example/\"q\"",
                    Some("unquoted"),
                    &[],
                    None,
                )],
            ),
            (
                "Negotiate abc123==, Basic realm=x",
                vec![
                    Challenge::Other {
                        scheme: "Negotiate".into(),
                    },
                    Challenge::Basic {
                        realm: Some("x".into()),
                    },
                ],
            ),
            (
                r#"Bearer realm="unterminated"#,
                vec![bearer("unterminated", None, &[], None)],
            ),
            ("", vec![]),
            (" , ,", vec![]),
            ("\"junk\" Basic", vec![Challenge::Basic { realm: None }]),
        ];
        for (header, expected) in cases {
            assert_eq!(parse_challenges(header), expected, "{header}");
        }
    }

    #[test]
    fn token_realms_follow_the_security_policy() {
        let https = "https://registry.example";
        let loopback_http = "http://127.0.0.1:5000";
        let allowed = [
            ("https://auth.example/token", https),
            ("https://auth.example:8443/token?x=1", https),
            ("HTTPS://Auth.Example/token", https),
            ("https://registry.example/token", https),
            // A plain-HTTP loopback registry may use its own host, any port, even in clear.
            ("http://127.0.0.1:5001/token", loopback_http),
            ("https://127.0.0.1/token", loopback_http),
            ("http://[::1]:5001/token", "http://[::1]:5000"),
            ("http://localhost:5001/token", "http://localhost:5000"),
            // Public IP literals are hosts like any other.
            ("https://93.184.216.34/token", https),
            ("https://[2606:2800:220:1::]/token", https),
            ("https://10.0.0.1/token", "https://10.0.0.1:443"),
        ];
        for (realm, base) in allowed {
            assert_eq!(realm_refusal(realm, base), None, "{realm} for {base}");
        }
        let refused = [
            ("http://registry.example/token", https),
            ("http://registry.example:8080/token", https),
            ("http://auth.example/token", https),
            ("http://auth.example/token", loopback_http),
            ("http://localhost:5001/token", loopback_http),
            ("file:///etc/passwd", https),
            ("ftp://auth.example/token", https),
            ("gopher://auth.example/token", https),
            ("javascript:alert(1)", https),
            ("/token", https),
            ("https://127.0.0.1/token", https),
            ("https://127.1/token", https),
            ("https://0x7f000001/token", https),
            ("https://2130706433/token", https),
            ("https://0177.0.0.1/token", https),
            ("https://[::1]/token", https),
            ("https://[::ffff:127.0.0.1]/token", https),
            ("https://[::ffff:a9fe:a9fe]/token", https),
            ("https://[64:ff9b::a9fe:a9fe]/token", https),
            ("https://169.254.169.254/latest/meta-data", https),
            ("https://[fe80::1]/token", https),
            ("https://[fd00::1]/token", https),
            ("https://10.1.2.3/token", https),
            ("https://172.16.0.1/token", https),
            ("https://192.168.1.1/token", https),
            ("https://0.0.0.0/token", https),
            ("https://[::]/token", https),
            ("https://localhost/token", https),
            ("https://a.localhost/token", https),
            ("https://127.0.0.1:5001/token", "http://localhost:5000"),
            ("https://auth.example/tok en", https),
            ("https://auth.example/token\r\nX: y", https),
            ("https://auth.example/token\u{7f}", https),
            ("https://auth.example/tökén", https),
            ("https://user:pw@auth.example/token", https),
            ("https://registry.example@127.0.0.1/token", https),
            ("https://auth.example/token#x", https),
            ("https://auth.example:99999999/token", https),
            ("https://[::1/token", https),
            ("https://999.1.1.1/token", https),
            ("https:///token", https),
        ];
        for (realm, base) in refused {
            assert!(
                realm_refusal(realm, base).is_some(),
                "{realm:?} for {base} should be refused"
            );
        }
    }

    #[test]
    fn tokens_must_fit_a_header() {
        assert!(is_header_safe_token("eyJhbGciOi.J9.x-_~+/="));
        for bad in ["", "a b", "a\r\nX-Evil: 1", "a\u{0}", "tök"] {
            assert!(!is_header_safe_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn scopes_print_and_cover() {
        let push = Scope::repository("a/b", &[Action::Push, Action::Pull, Action::Push]);
        assert_eq!(push.to_string(), "repository:a/b:pull,push");
        assert!(push.covers(&Scope::repository("a/b", &[Action::Pull])));
        assert!(!push.covers(&Scope::repository("a/c", &[Action::Pull])));
        assert!(!Scope::repository("a/b", &[Action::Pull]).covers(&push));
        assert_eq!(Scope::catalog().to_string(), "registry:catalog:*");
        assert!(!push.covers(&Scope::catalog()) && !Scope::catalog().covers(&push));
        assert!(Scope::catalog().covers(&Scope::catalog()));
    }
}
