//! The paging every listing shares — tags ([`ListTags`](super::ListTags)), repositories
//! ([`ListRepositories`](super::ListRepositories)) and referrers
//! ([`ListReferrers`](super::ListReferrers)): one GET per page, the next page from the
//! registry's `Link: <…>; rel="next"` (distribution-spec "Listing Tags": "the `Link` header
//! … with `rel="next"`"; RFC 8288), on the registry's origin only, within the session's listing
//! limits and a number of pages, and never the same page twice.
//!
//! A listing of names asked `n` at a time also goes on without a `Link`: a registry may answer
//! `n` entries and no `Link` though more follow (the referrers-API test registry does), so a
//! full page from a registry that has sent no `Link` is followed by the page after its last
//! entry (`last`). A registry that ignores `last` (distribution 2.8.2 sends every tag whatever
//! `n` and `last` say) answers that with `last` among the entries again: the entries after it in
//! the registry's order are the last page.
//!
//! A listing says only what differs: the request of a page ([`Listing::exchange`]) and what a
//! response holds ([`Listing::read`]). [`Paged`] does the rest, page by page
//! ([`Paged::next_page`]) or to the end ([`Paged::next`]).

use std::collections::HashSet;

use super::super::http::Response;
use super::*;

/// One page of a listing driven page by page ([`ListTags::next_page`](super::ListTags::next_page),
/// [`ListRepositories::next_page`](super::ListRepositories::next_page),
/// [`ListReferrers::next_page`](super::ListReferrers::next_page)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The entries of this page.
    pub items: Vec<T>,
    /// Whether this is the last page; if not, step the same operation again (from
    /// [`Input::Start`]) for the next one.
    pub last: bool,
}

impl Page<String> {
    /// The `last` that asks for the page after this one, for a caller that lists a page at a
    /// time across requests (a tag browser's "more" link: [`ListTags::after`](super::ListTags::after)):
    /// this page's last entry (distribution-spec "Listing Tags": the entries lexically after
    /// `last`), or `None` after the last page, or an empty one, which has no entry to go on
    /// from.
    pub fn next(&self) -> Option<&str> {
        if self.last {
            None
        } else {
            self.items.last().map(String::as_str)
        }
    }
}

/// The URL of a listing's first page: `path` with `n` (the page size asked for) and `last`
/// (the entry to list after: distribution-spec "the response … MUST only include tags
/// lexically after `last`") as its query.
pub(super) fn first_page_url(
    session: &Session,
    path: &str,
    n: Option<u64>,
    last: Option<&str>,
) -> String {
    let mut query = Vec::new();
    if let Some(n) = n {
        query.push(format!("n={n}"));
    }
    if let Some(last) = last {
        query.push(format!("last={}", encode_query(last)));
    }
    match query.is_empty() {
        true => session.url(path),
        false => session.url(&format!("{path}?{}", query.join("&"))),
    }
}

/// What one response of a listing holds.
pub(super) enum Read<T> {
    /// A page: `entries` as the registry sent them (what the listing limits count) and the
    /// `items` kept of them; `linked` when its `Link` to a next page is to be followed.
    Page {
        entries: u64,
        items: Vec<T>,
        linked: bool,
    },
    /// Nothing (more) to list.
    End,
    /// Ask this URL instead, for the same page (the referrers tag schema after a 404 from the
    /// referrers API).
    Ask(String),
    /// The registry's error.
    Refused,
}

/// A listing: what it lists and how its pages are read; [`Paged`] pages through it.
pub(super) trait Listing {
    /// An entry.
    type Item: Clone + std::fmt::Debug;
    /// What is listed, for messages ("tags").
    const WHAT: &'static str;
    /// The largest page read, in bytes.
    const PAGE_MAX: u64;
    /// The most pages read.
    const MAX_PAGES: u32;

    /// The GET of the page at `url`, its body captured up to `max` bytes.
    fn exchange(&self, url: String, max: u64) -> Exchange;

    /// An entry's name, for a listing whose pages go on after a name (`last`): tags,
    /// repositories.
    fn name(_item: &Self::Item) -> Option<&str> {
        None
    }

    /// What `response` holds; `first` for the first page's.
    ///
    /// # Errors
    /// A page that cannot be read ([`Error::JsonInvalid`], …).
    fn read(
        &mut self,
        session: &mut Session,
        response: &Response,
        first: bool,
    ) -> Result<Read<Self::Item>, Error>;
}

/// A listing paged through: the request in flight, the pages and bytes and entries read so far
/// (against [`Limits::list_entries_max`] and [`Limits::list_bytes_max`]), the pages asked for
/// (a link back to one of them would never end), and, for [`Paged::next`], the entries held.
///
/// [`Limits::list_entries_max`]: crate::registry::Limits::list_entries_max
/// [`Limits::list_bytes_max`]: crate::registry::Limits::list_bytes_max
#[derive(Debug, Clone)]
pub(super) struct Paged<L: Listing> {
    pub(super) listing: L,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    pages: u32,
    budget: ListingBudget,
    /// The capture limit of the page in flight.
    page_max: u64,
    /// Every URL asked for.
    asked: HashSet<String>,
    /// The SHA-256 of the last page that linked to another.
    previous: Option<Digest>,
    /// For a listing of names asked `n` at a time: its path and `n`, to ask for the page after
    /// a full page without a `Link`.
    by_last: Option<(String, u64)>,
    /// Whether the registry has sent a `Link` to a next page in this listing.
    links: bool,
    /// The `last` the page in flight was asked after, if any.
    after: Option<String>,
    /// The entries of the pages read so far, for [`Paged::next`].
    held: Vec<L::Item>,
}

impl<L: Listing> Paged<L> {
    /// Pages through `listing` from `url`.
    pub(super) fn new(session: &Session, listing: L, url: String) -> Self {
        let budget = ListingBudget::default();
        let page_max = budget.page_max(session, L::PAGE_MAX);
        Self {
            exchange: listing.exchange(url.clone(), page_max),
            listing,
            deadline: Deadline::default(),
            pages: 0,
            budget,
            page_max,
            asked: HashSet::from([url]),
            previous: None,
            by_last: None,
            links: false,
            after: None,
            held: Vec::new(),
        }
    }

    /// Pages through the names at `path`, `n` at a time when given, after `last` when given
    /// (see [`first_page_url`]).
    pub(super) fn names(
        session: &Session,
        listing: L,
        path: &str,
        n: Option<u64>,
        last: Option<&str>,
    ) -> Self {
        let mut paged = Self::new(session, listing, first_page_url(session, path, n, last));
        paged.by_last = n.filter(|&n| n > 0).map(|n| (path.to_owned(), n));
        paged.after = last.map(str::to_owned);
        paged
    }

    /// The next step; done with every entry of every page.
    pub(super) fn next(
        &mut self,
        session: &mut Session,
        mut input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<L::Item>>, Error> {
        loop {
            match self.next_page(session, input, now_ms)? {
                Event::Done(page) => {
                    self.held.extend(page.items);
                    if page.last {
                        return Ok(Event::Done(std::mem::take(&mut self.held)));
                    }
                    input = Input::Start;
                }
                Event::Send(request) => return Ok(Event::Send(request)),
                Event::Wait(ms) => return Ok(Event::Wait(ms)),
            }
        }
    }

    /// The next step, done with each page; after a page that is not the last, step again from
    /// [`Input::Start`].
    pub(super) fn next_page(
        &mut self,
        session: &mut Session,
        mut input: Input,
        now_ms: u64,
    ) -> Result<Event<Page<L::Item>>, Error> {
        loop {
            let response = exchange!(self, session, input, now_ms);
            let bytes = response.body.len() as u64;
            if response.status == 200 && bytes > self.page_max {
                // Captured past the page's limit: LIMIT_EXCEEDED, not the JSON error the cut
                // body would give.
                self.budget
                    .count(session, L::WHAT, self.page_max, bytes, 0)?;
            }
            let first = self.pages == 0;
            match self.listing.read(session, &response, first)? {
                Read::Refused => return Err(in_context(registry_error(&response), &self.exchange)),
                Read::End => {
                    return Ok(Event::Done(Page {
                        items: Vec::new(),
                        last: true,
                    }));
                }
                Read::Ask(url) => {
                    self.asked.insert(url.clone());
                    self.exchange = self.listing.exchange(url, self.page_max);
                    input = Input::Start;
                }
                Read::Page {
                    entries,
                    items,
                    linked,
                } => {
                    self.budget
                        .count(session, L::WHAT, self.page_max, bytes, entries)?;
                    self.pages += 1;
                    let mut items = items;
                    if let Some(after) = self.after.take()
                        && let Some(at) = items
                            .iter()
                            .position(|item| L::name(item) == Some(after.as_str()))
                    {
                        // Asked for what follows `last`, the registry sent `last` again: it
                        // ignores `last` and has sent all it will. What follows `last` in its
                        // order is the page (nothing, after a page of ours that ended there).
                        items.drain(..=at);
                        return Ok(Event::Done(Page { items, last: true }));
                    }
                    let next = match linked {
                        true => self.next_url(session, &response)?,
                        false => None,
                    };
                    let next = match next {
                        Some(next) => Some(next),
                        None if linked => self.next_after(session, &items, entries)?,
                        None => None,
                    };
                    let last = next.is_none();
                    if let Some(next) = next {
                        self.page_max = self.budget.page_max(session, L::PAGE_MAX);
                        self.exchange = self.listing.exchange(next, self.page_max);
                    }
                    return Ok(Event::Done(Page { items, last }));
                }
            }
        }
    }

    /// The URL of the page after `response` (`Link: <…>; rel="next"`), if any: on the
    /// registry's origin, within [`Listing::MAX_PAGES`], neither a page already asked for nor
    /// after a page the same as the one before — a registry that links to the same page
    /// forever would otherwise keep a listing going until its limits.
    fn next_url(
        &mut self,
        session: &Session,
        response: &Response,
    ) -> Result<Option<String>, Error> {
        let Some(link) = response.header("Link").and_then(next_link) else {
            return Ok(None);
        };
        let next =
            resolve_location(self.exchange.url(), &link).map_err(|e| Error::ProtocolState {
                reason: format!("unusable next-page link: {e}"),
            })?;
        if origin(&next).as_deref() != Some(session.base()) {
            return Err(Error::ProtocolState {
                reason: format!("refusing a next-page link to another origin: {next}"),
            });
        }
        if self.pages >= L::MAX_PAGES {
            return Err(Error::ProtocolState {
                reason: format!(
                    "more than {} pages of {} from {}",
                    L::MAX_PAGES,
                    L::WHAT,
                    session.registry()
                ),
            });
        }
        if self.asked.contains(&next) {
            return Err(Error::ProtocolState {
                reason: format!(
                    "{} linked page {} of {} back to a page already read ({next}): the listing would never end",
                    session.registry(),
                    self.pages,
                    L::WHAT
                ),
            });
        }
        let digest = crate::digest::sha256(&response.body);
        if self.previous.as_ref() == Some(&digest) {
            return Err(Error::ProtocolState {
                reason: format!(
                    "{} sent page {} of {} the same as the page before, with a link to another ({next}): the listing would never end",
                    session.registry(),
                    self.pages,
                    L::WHAT
                ),
            });
        }
        self.previous = Some(digest);
        self.asked.insert(next.clone());
        self.links = true;
        Ok(Some(next))
    }

    /// The page after `items` (`n` of them) asked with `last`, for a listing of names asked `n`
    /// at a time from a registry that sent no `Link`; `None` after a page that is not full.
    fn next_after(
        &mut self,
        session: &Session,
        items: &[L::Item],
        entries: u64,
    ) -> Result<Option<String>, Error> {
        let Some((path, n)) = &self.by_last else {
            return Ok(None);
        };
        let Some(last) = items.last().and_then(L::name) else {
            return Ok(None);
        };
        if self.links || entries != *n {
            return Ok(None);
        }
        if self.pages >= L::MAX_PAGES {
            return Err(Error::ProtocolState {
                reason: format!(
                    "more than {} pages of {} from {}",
                    L::MAX_PAGES,
                    L::WHAT,
                    session.registry()
                ),
            });
        }
        let next = first_page_url(session, path, Some(*n), Some(last));
        if !self.asked.insert(next.clone()) {
            // The same last entry twice: the registry's pages do not move on.
            return Ok(None);
        }
        self.after = Some(last.to_owned());
        Ok(Some(next))
    }
}

/// The names of a page of tags or repositories: `{"<key>": ["…", …]}`, the key absent or
/// `null` for none.
pub(super) fn names(body: &[u8], key: &str) -> Result<Vec<String>, Error> {
    let page: serde_json::Value = crate::json::parse_strict(body)?;
    let Some(names) = page.get(key).filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    names
        .as_array()
        .ok_or_else(|| Error::JsonInvalid {
            reason: format!("{key} must be an array"),
        })?
        .iter()
        .map(|name| {
            name.as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::JsonInvalid {
                    reason: format!("{key} must be strings"),
                })
        })
        .collect()
}

/// What one listing has read so far over all its pages, against [`Limits::list_entries_max`]
/// and [`Limits::list_bytes_max`](crate::registry::Limits::list_bytes_max).
///
/// [`Limits::list_entries_max`]: crate::registry::Limits::list_entries_max
#[derive(Debug, Clone, Copy, Default)]
struct ListingBudget {
    entries: u64,
    bytes: u64,
}

impl ListingBudget {
    /// The most bytes the next page may have: `page_max`, or what is left of the listing's.
    fn page_max(&self, session: &Session, page_max: u64) -> u64 {
        page_max.min(session.limits().list_bytes_max.saturating_sub(self.bytes))
    }

    /// Counts a page of `bytes` (captured with at most `page_max`) holding `entries`.
    fn count(
        &mut self,
        session: &Session,
        what: &str,
        page_max: u64,
        bytes: u64,
        entries: u64,
    ) -> Result<(), Error> {
        let limits = session.limits();
        self.bytes = self.bytes.saturating_add(bytes);
        if bytes > page_max && self.bytes <= limits.list_bytes_max {
            return Err(Error::LimitExceeded {
                limit: format!("bytes of one page of {what} from {}", session.registry()),
                max: page_max,
                value: bytes,
                setting: "a smaller page size (n)".into(),
            });
        }
        if self.bytes > limits.list_bytes_max {
            return Err(Error::LimitExceeded {
                limit: format!("bytes of all pages of {what} from {}", session.registry()),
                max: limits.list_bytes_max,
                value: self.bytes,
                setting: "Limits.list_bytes_max".into(),
            });
        }
        self.entries = self.entries.saturating_add(entries);
        if self.entries > limits.list_entries_max {
            return Err(Error::LimitExceeded {
                limit: format!("{what} in one listing from {}", session.registry()),
                max: limits.list_entries_max,
                value: self.entries,
                setting: "Limits.list_entries_max".into(),
            });
        }
        Ok(())
    }
}
