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

/// A token scope: `repository:<name>:<actions>` (the Docker token protocol's scope grammar).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    /// The repository.
    pub repository: String,
    /// The actions, sorted, without duplicates.
    pub actions: Vec<Action>,
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
        }
    }

    /// Whether a token for `self` also covers `other`.
    pub fn covers(&self, other: &Self) -> bool {
        self.repository == other.repository
            && other.actions.iter().all(|a| self.actions.contains(a))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
    fn scopes_print_and_cover() {
        let push = Scope::repository("a/b", &[Action::Push, Action::Pull, Action::Push]);
        assert_eq!(push.to_string(), "repository:a/b:pull,push");
        assert!(push.covers(&Scope::repository("a/b", &[Action::Pull])));
        assert!(!push.covers(&Scope::repository("a/c", &[Action::Pull])));
        assert!(!Scope::repository("a/b", &[Action::Pull]).covers(&push));
    }
}
