//! The bounds the engine puts on every operation with a registry (DESIGN.md "Security policy":
//! everything a registry sends is bounded, and every operation by a stall timeout and a total
//! deadline).
//!
//! The engine has no clock and no socket: it enforces what it can (deadlines at each step,
//! waits, sizes and counts of what it reads), and puts the rest on each [`Request`] for the host
//! to enforce ([`Request::timeout_ms`], [`Request::deadline_ms`], the `max` of
//! [`ResponseBody`]).
//!
//! [`Request`]: super::Request
//! [`Request::timeout_ms`]: super::Request::timeout_ms
//! [`Request::deadline_ms`]: super::Request::deadline_ms
//! [`ResponseBody`]: super::ResponseBody

/// The limits of a [`Session`](super::Session), set with
/// [`Session::with_limits`](super::Session::with_limits). Every field has a documented default
/// ([`Limits::default`]); a time of `0` means "no limit" where the field says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest a transfer may go without a byte moving, in milliseconds (default 30 s).
    /// Carried by each request as [`Request::timeout_ms`](super::Request::timeout_ms).
    pub stall_timeout_ms: u64,
    /// The longest a request whose body the host captures whole (a manifest, a token, a tag
    /// page, an error) may take from start to end, in milliseconds (default 60 s; 0 = no limit
    /// besides the deadline). Folded into the request's
    /// [`deadline_ms`](super::Request::deadline_ms).
    pub request_timeout_ms: u64,
    /// The longest one operation may take from its first step, in milliseconds (default
    /// 1 hour; 0 = none). A step at or past it, or a retry wait that would pass it, fails with
    /// `TIMEOUT`.
    pub deadline_ms: u64,
    /// The longest `Retry-After` the engine waits for, in milliseconds (default 60 s): a
    /// registry asking for more fails the request at once with `TOOMANYREQUESTS`, naming the
    /// wait it asked for.
    pub retry_after_max_ms: u64,
    /// The most entries (tags, referrers) one listing may have over all its pages (default
    /// 100 000); more is `LIMIT_EXCEEDED`.
    pub list_entries_max: u64,
    /// The most bytes all the pages of one listing may have together (default 32 MiB); more
    /// is `LIMIT_EXCEEDED`.
    pub list_bytes_max: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            stall_timeout_ms: 30_000,
            request_timeout_ms: 60_000,
            deadline_ms: 3_600_000,
            retry_after_max_ms: 60_000,
            list_entries_max: 100_000,
            list_bytes_max: 32 * 1024 * 1024,
        }
    }
}

/// When an operation started, so that its deadline holds across all its requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Deadline {
    started_ms: Option<u64>,
}

impl Deadline {
    /// The absolute deadline (Unix ms) of the operation, its start being the first step's
    /// `now_ms`; `None` when the session sets no deadline.
    pub(crate) fn at(&mut self, limits: &Limits, now_ms: u64) -> Option<u64> {
        let started = *self.started_ms.get_or_insert(now_ms);
        (limits.deadline_ms > 0).then(|| started.saturating_add(limits.deadline_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let limits = Limits::default();
        assert_eq!(limits.stall_timeout_ms, 30_000);
        assert_eq!(limits.request_timeout_ms, 60_000);
        assert_eq!(limits.deadline_ms, 60 * 60 * 1000);
        assert_eq!(limits.retry_after_max_ms, 60_000);
        assert_eq!(limits.list_entries_max, 100_000);
        assert_eq!(limits.list_bytes_max, 32 << 20);
    }

    #[test]
    fn a_deadline_counts_from_the_first_step() {
        let limits = Limits {
            deadline_ms: 1000,
            ..Limits::default()
        };
        let mut deadline = Deadline::default();
        assert_eq!(deadline.at(&limits, 5000), Some(6000));
        assert_eq!(deadline.at(&limits, 5900), Some(6000));
        let none = Limits {
            deadline_ms: 0,
            ..limits
        };
        assert_eq!(Deadline::default().at(&none, 5000), None);
    }
}
