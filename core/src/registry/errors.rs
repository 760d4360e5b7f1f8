//! Registry error bodies (distribution-spec "Error Codes") and retry decisions.

use serde_json::Value;

/// One entry of a registry's `{"errors": [...]}` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    /// The code as the registry sent it (`MANIFEST_UNKNOWN`, …), or `UNKNOWN` when absent.
    pub code: String,
    /// The message, if any.
    pub message: String,
    /// The `detail` value in whatever shape the registry sent, as compact JSON text.
    pub detail: Option<String>,
}

/// The error codes of the distribution spec, which pass through ocikit unchanged.
pub const SPEC_CODES: &[&str] = &[
    "BLOB_UNKNOWN",
    "BLOB_UPLOAD_INVALID",
    "BLOB_UPLOAD_UNKNOWN",
    "DIGEST_INVALID",
    "MANIFEST_BLOB_UNKNOWN",
    "MANIFEST_INVALID",
    "MANIFEST_UNKNOWN",
    "NAME_INVALID",
    "NAME_UNKNOWN",
    "SIZE_INVALID",
    "UNAUTHORIZED",
    "DENIED",
    "UNSUPPORTED",
    "TOOMANYREQUESTS",
];

/// Reads an error response body. A JSON body with an `errors` array gives its entries (codes
/// and messages may be missing or of the wrong type: they are read leniently); any other body
/// gives one entry whose code comes from the status and whose message is the body's text.
pub fn parse_error_body(status: u16, body: &[u8]) -> Vec<RegistryError> {
    let entries = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    let parsed: Vec<RegistryError> = entries
        .iter()
        .filter_map(Value::as_object)
        .map(|entry| RegistryError {
            code: entry
                .get("code")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .unwrap_or("UNKNOWN")
                .to_owned(),
            message: entry
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            detail: entry
                .get("detail")
                .filter(|d| !d.is_null())
                .map(Value::to_string),
        })
        .collect();
    if !parsed.is_empty() {
        return parsed;
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.trim().chars().take(512).collect();
    vec![RegistryError {
        code: status_code_name(status).to_owned(),
        message: if text.is_empty() {
            format!("HTTP {status}")
        } else {
            text
        },
        detail: None,
    }]
}

/// The spec code a bare status stands for, when a registry sends no error body.
pub fn status_code_name(status: u16) -> &'static str {
    match status {
        401 => "UNAUTHORIZED",
        403 => "DENIED",
        404 => "NOT_FOUND",
        405 => "UNSUPPORTED",
        429 => "TOOMANYREQUESTS",
        _ => "UNKNOWN",
    }
}

/// How often and how long to retry requests that failed in ways that may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max_retries: u32,
    /// The first backoff, in milliseconds; each later one doubles.
    pub base_delay_ms: u64,
    /// No wait is longer than this, whatever `Retry-After` says.
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay_ms: 250,
            max_delay_ms: 30_000,
        }
    }
}

impl RetryPolicy {
    /// Whether a status is worth retrying: 408, 429, and 5xx other than 501 and 505.
    pub fn is_retryable(status: u16) -> bool {
        matches!(status, 408 | 429 | 500 | 502 | 503 | 504) || (506..=599).contains(&status)
    }

    /// The wait before retry number `attempt` (1-based) after `status`, or `None` to give up.
    /// `retry_after` is the header's value; `now_ms` (Unix time in milliseconds) lets an
    /// HTTP-date be turned into a delay. Jitter is the host's choice (the core has no randomness).
    pub fn delay_ms(
        &self,
        status: u16,
        attempt: u32,
        retry_after: Option<&str>,
        now_ms: u64,
    ) -> Option<u64> {
        if !Self::is_retryable(status) || attempt == 0 || attempt > self.max_retries {
            return None;
        }
        let backoff = self
            .base_delay_ms
            .saturating_mul(1u64.checked_shl(attempt - 1).unwrap_or(u64::MAX));
        let wait = retry_after
            .and_then(|value| parse_retry_after(value, now_ms))
            .map_or(backoff, |asked| asked.max(backoff));
        Some(wait.min(self.max_delay_ms))
    }
}

/// `Retry-After`: delay-seconds, or an IMF-fixdate (RFC 9110 §10.2.3) turned into a delay.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.saturating_mul(1000));
    }
    let at = crate::time::parse_http_date(value)?;
    let at_ms = u64::try_from(at).ok()?.saturating_mul(1000);
    Some(at_ms.saturating_sub(now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_error_bodies_in_any_shape() {
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v9"}},{"code":"X"}]}"#;
        let errors = parse_error_body(404, body);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].code, "MANIFEST_UNKNOWN");
        assert_eq!(errors[0].detail.as_deref(), Some(r#"{"Tag":"v9"}"#));
        assert_eq!(errors[1].message, "");
        assert_eq!(parse_error_body(401, b"")[0].code, "UNAUTHORIZED");
        assert_eq!(
            parse_error_body(500, b"<html>oops</html>")[0].message,
            "<html>oops</html>"
        );
        assert_eq!(
            parse_error_body(404, br#"{"errors":[{"code":7,"detail":null}]}"#)[0].code,
            "UNKNOWN"
        );
        assert_eq!(
            parse_error_body(503, br#"{"errors":"nope"}"#)[0].code,
            "UNKNOWN"
        );
        assert_eq!(
            parse_error_body(429, &[0xff, 0xfe])[0].code,
            "TOOMANYREQUESTS"
        );
    }

    #[test]
    fn retries_are_bounded_and_honour_retry_after() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_ms(503, 1, None, 0), Some(250));
        assert_eq!(policy.delay_ms(503, 3, None, 0), Some(1000));
        assert_eq!(policy.delay_ms(503, 5, None, 0), None);
        assert_eq!(policy.delay_ms(404, 1, None, 0), None);
        assert_eq!(policy.delay_ms(501, 1, None, 0), None);
        assert_eq!(policy.delay_ms(429, 1, Some("2"), 0), Some(2000));
        assert_eq!(policy.delay_ms(429, 1, Some("99999"), 0), Some(30_000));
        let now = 1_700_000_000_000;
        assert_eq!(
            policy.delay_ms(429, 1, Some("Tue, 14 Nov 2023 22:13:25 GMT"), now),
            Some(5000)
        );
        assert_eq!(policy.delay_ms(429, 1, Some("garbage"), now), Some(250));
        assert_eq!(policy.delay_ms(429, u32::MAX, None, 0), None);
        let patient = RetryPolicy {
            max_retries: 100,
            ..policy
        };
        assert_eq!(patient.delay_ms(500, 90, None, 0), Some(30_000));
    }
}
