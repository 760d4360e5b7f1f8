//! Findings: what a lint or a validation reports about an input.

use std::fmt;

/// How serious a [`Finding`] is. A document is valid iff it has no `Error` findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Breaks a MUST of a specification.
    Error,
    /// Breaks a SHOULD, a convention, or a portability rule.
    Warning,
    /// Worth knowing, breaks nothing (a registry's behaviour the user should plan for).
    Info,
}

impl Severity {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a lint or validation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, shared with [`Error::code`](crate::Error::code).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer to the offending value (`""` for the whole input).
    pub path: String,
    /// A sentence for people.
    pub message: String,
    /// The rule broken, e.g. `"RFC 6838 §4.2"`.
    pub rule: &'static str,
}

impl Finding {
    pub(crate) fn warning(code: &'static str, rule: &'static str, message: String) -> Self {
        Self {
            code,
            severity: Severity::Warning,
            path: String::new(),
            message,
            rule,
        }
    }
}
