//! The HTTP messages the engine asks the host to exchange.

use std::fmt;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// HEAD
    Head,
    /// PUT
    Put,
    /// POST
    Post,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Nothing.
    Empty,
    /// These bytes (manifests, token forms).
    Bytes(Vec<u8>),
    /// `length` bytes of the blob being uploaded, from `offset`: the host streams them from
    /// wherever the content lives.
    Blob {
        /// Where in the blob the body starts.
        offset: u64,
        /// How many bytes.
        length: u64,
    },
}

/// What the host does with the response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseBody {
    /// Read it whole (up to `max` bytes; more is an error) and hand it back in [`Response::body`].
    Capture {
        /// The most bytes to read.
        max: u64,
    },
    /// On success (2xx), stream it to the destination while hashing it with the algorithm of
    /// the blob's digest, and hand back the digest and size of the whole blob in
    /// [`Response::streamed`]. Error bodies are captured as with `Capture` (up to
    /// [`ERROR_BODY_MAX`]) and never touch the destination.
    ///
    /// The destination (the host's sink for the blob) follows the request:
    /// - no `Range` header: empty the sink, write the body from the blob's first byte;
    /// - `Range: bytes=N-` answered 206: append to the N bytes the sink holds (hash those
    ///   first), so that [`Response::streamed`] is still the digest and size of the whole blob;
    /// - `Range: bytes=N-` answered 200 (a registry that ignores `Range`): empty the sink and
    ///   write the body from the blob's first byte, as without `Range`.
    ///
    /// When the transport fails mid-body, the host reports
    /// [`Failure`](super::Failure) with [`received`](super::Failure::received): how many
    /// bytes of the blob its sink now holds, from the first byte (the N it appended to, plus
    /// what arrived). The engine then, after the retry policy's backoff, at most its
    /// `max_retries` times and within the deadline, asks for the rest with `Range: bytes=N-`
    /// (or for the whole blob when N is 0, unknown, or the blob's size or more). A stall
    /// (`timeout`) is continued so only when new bytes arrived before it (N more than the
    /// `Range` start); with no new byte it is `TIMEOUT` at once. A TLS failure is not retried;
    /// a 416 answer to `Range` is followed by a request for the whole blob.
    Stream {
        /// The bytes of this body still expected: the host reads at most `max + 1` of them,
        /// stops there (a body longer than its descriptor is never read whole) and reports the
        /// size it saw; the engine answers `SIZE_MISMATCH` and does not retry it.
        max: u64,
    },
}

/// A request for the host to send. The host MUST NOT follow redirects itself: the engine does,
/// so that credentials never travel to another origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Headers, in order; names in their canonical case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// What to do with the response body.
    pub response_body: ResponseBody,
    /// The stall timeout the host enforces, in milliseconds: the request fails (report it as
    /// [`FailureKind::Timeout`](super::FailureKind::Timeout)) when no byte moves for this long
    /// ([`Limits::stall_timeout_ms`](super::Limits::stall_timeout_ms)); 0 = none.
    pub timeout_ms: u64,
    /// The absolute time (Unix milliseconds, the clock of the `now_ms` given to `next`) by
    /// which the exchange must be over, or `None`: the operation's deadline, and for a captured
    /// body also [`Limits::request_timeout_ms`](super::Limits::request_timeout_ms) from now.
    /// Past it, the host stops and reports [`FailureKind::Timeout`](super::FailureKind::Timeout).
    pub deadline_ms: Option<u64>,
}

impl Request {
    pub(crate) fn new(method: Method, url: String) -> Self {
        Self {
            method,
            url,
            headers: Vec::new(),
            body: Body::Empty,
            response_body: ResponseBody::Capture {
                max: ERROR_BODY_MAX,
            },
            timeout_ms: 0,
            deadline_ms: None,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The value of a header, compared case-insensitively.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// The largest error or JSON body the engine asks the host to capture when it expects none.
pub const ERROR_BODY_MAX: u64 = 64 * 1024;

/// A response the host received.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers as received (any case).
    pub headers: Vec<(String, String)>,
    /// The captured body (empty when streamed).
    pub body: Vec<u8>,
    /// For a streamed body: its digest (in the expected digest's algorithm) and size.
    pub streamed: Option<(crate::Digest, u64)>,
}

impl Response {
    /// The value of a header, compared case-insensitively (the first, if repeated).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// `Docker-Content-Digest`, when present and well-formed.
    pub fn content_digest(&self) -> Option<crate::Digest> {
        self.header("Docker-Content-Digest")
            .and_then(|d| crate::Digest::parse(d).ok())
    }

    /// `Content-Type` without parameters (empty when absent).
    pub fn media_type(&self) -> String {
        self.header("Content-Type")
            .and_then(|t| t.split(';').next())
            .unwrap_or_default()
            .trim()
            .to_owned()
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// `scheme://host[:port]` of an absolute URL, lowercased; `None` for a relative one. The
/// authority ends at the first `/`, `\`, `?` or `#`, as the WHATWG URL parser (browsers,
/// Node's `fetch`) reads an http(s) URL: `http://a\@b/` is on `a`, not `b`.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    // Userinfo never counts towards the origin.
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// Resolves a `Location` (absolute, or a path) against the URL it answered.
pub fn resolve(base: &str, location: &str) -> Option<String> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_owned());
    }
    let origin = origin(base)?;
    if location.starts_with("//") {
        let scheme = origin.split("://").next()?;
        return Some(format!("{scheme}:{location}"));
    }
    if location.starts_with('/') {
        return Some(format!("{origin}{location}"));
    }
    // A relative path: replace the last segment of the base path.
    let path = base.strip_prefix(&origin).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    Some(format!("{origin}{dir}/{location}"))
}

/// Percent-encodes a query component (everything but RFC 3986 unreserved characters).
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_locations() {
        assert_eq!(
            origin("https://R.example:5000/v2/x?y").as_deref(),
            Some("https://r.example:5000")
        );
        assert_eq!(origin("http://user:pw@h/p").as_deref(), Some("http://h"));
        // A backslash ends the host, as browsers and Node read the URL.
        assert_eq!(
            origin("http://evil.test:1\\@registry.test/v2/").as_deref(),
            Some("http://evil.test:1")
        );
        assert_eq!(origin("/v2/"), None);
        let base = "http://127.0.0.1:5000/v2/a/blobs/uploads/";
        assert_eq!(
            resolve(base, "/v2/a/blobs/uploads/u1?_state=x").as_deref(),
            Some("http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=x")
        );
        assert_eq!(
            resolve(base, "https://s3.example/b?sig=1").as_deref(),
            Some("https://s3.example/b?sig=1")
        );
        assert_eq!(
            resolve(base, "//cdn.example/x").as_deref(),
            Some("http://cdn.example/x")
        );
        assert_eq!(
            resolve("http://h/v2/a/blobs/uploads/u1", "u2?x").as_deref(),
            Some("http://h/v2/a/blobs/uploads/u2?x")
        );
        assert_eq!(
            encode_query("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
    }
}
