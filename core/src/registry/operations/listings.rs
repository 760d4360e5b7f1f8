//! Listings: tags page by page within the session's listing limits, and the pagination
//! they share with referrer listings.

use super::*;

/// One page of a listing driven page by page ([`ListTags::next_page`],
/// [`ListReferrers::next_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The entries of this page.
    pub items: Vec<T>,
    /// Whether this is the last page; if not, step the same operation again (from
    /// [`Input::Start`]) for the next one.
    pub last: bool,
}

/// Steps a listing driven page by page (`next_page`) to its end, keeping the pages read so far
/// in `held` between steps: the `next` of every listing, done with all its entries.
pub(super) fn all_pages<T>(
    held: &mut Vec<T>,
    mut input: Input,
    mut next_page: impl FnMut(Input) -> Result<Event<Page<T>>, Error>,
) -> Result<Event<Vec<T>>, Error> {
    loop {
        match next_page(input)? {
            Event::Done(page) => {
                held.extend(page.items);
                if page.last {
                    return Ok(Event::Done(std::mem::take(held)));
                }
                input = Input::Start;
            }
            Event::Send(request) => return Ok(Event::Send(request)),
            Event::Wait(ms) => return Ok(Event::Wait(ms)),
        }
    }
}

/// What one listing has read so far over all its pages, against [`Limits::list_entries_max`]
/// and [`Limits::list_bytes_max`](crate::registry::Limits::list_bytes_max).
///
/// [`Limits::list_entries_max`]: crate::registry::Limits::list_entries_max
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ListingBudget {
    entries: u64,
    bytes: u64,
}

impl ListingBudget {
    /// The most bytes the next page may have: `page_max`, or what is left of the listing's.
    pub(super) fn page_max(&self, session: &Session, page_max: u64) -> u64 {
        page_max.min(session.limits().list_bytes_max.saturating_sub(self.bytes))
    }

    /// Counts a page of `bytes` (captured with at most `captured_max`) holding `entries`.
    pub(super) fn count(
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

/// List a repository's tags, following `Link` pagination on the registry's origin, within
/// the session's listing limits; all at once ([`ListTags::next`]) or page by page
/// ([`ListTags::next_page`]).
#[derive(Debug, Clone)]
pub struct ListTags {
    reference: Reference,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    tags: Vec<String>,
    pages: u32,
    max_pages: u32,
    budget: ListingBudget,
    /// The capture limit of the page in flight.
    page_max: u64,
}

impl ListTags {
    /// Lists tags, asking for `page_size` per page when given.
    pub fn new(session: &Session, reference: &Reference, page_size: Option<u32>) -> Self {
        Self::starting(session, reference, page_size, None)
    }

    /// Lists the tags after `last` in the registry's order (distribution-spec: "`last` … the
    /// response … MUST only include tags lexically after `last`"), a page of `page_size` at a
    /// time: a tag browser asks for the page after the last tag it shows.
    ///
    /// # Errors
    /// [`Error::ReferenceInvalid`] when `last` is not a tag.
    pub fn after(
        session: &Session,
        reference: &Reference,
        page_size: Option<u32>,
        last: &str,
    ) -> Result<Self, Error> {
        crate::reference::check_tag_text(last)?;
        Ok(Self::starting(session, reference, page_size, Some(last)))
    }

    fn starting(
        session: &Session,
        reference: &Reference,
        page_size: Option<u32>,
        last: Option<&str>,
    ) -> Self {
        let mut path = format!("/v2/{}/tags/list", reference.repository());
        let mut query = Vec::new();
        // `n` capped where the registry errors above it (the session's profile: ECR, 1000).
        if let Some(n) = page_size.map(|n| session.tag_page_size(u64::from(n))) {
            query.push(format!("n={n}"));
        }
        // A tag is [A-Za-z0-9_.-]: nothing in it needs escaping in a query.
        if let Some(last) = last {
            query.push(format!("last={last}"));
        }
        if !query.is_empty() {
            path.push('?');
            path.push_str(&query.join("&"));
        }
        let budget = ListingBudget::default();
        let page_max = budget.page_max(session, TAG_LIST_MAX);
        Self {
            deadline: Deadline::default(),
            reference: reference.clone(),
            exchange: Self::exchange(session.url(&path), reference, page_max),
            tags: Vec::new(),
            pages: 0,
            max_pages: 10_000,
            budget,
            page_max,
        }
    }

    fn exchange(url: String, reference: &Reference, max: u64) -> Exchange {
        // A registry without pagination (distribution 2.8.2) sends every tag in one page.
        get_document(url, reference, "application/json", max, &[Action::Pull])
    }

    /// The next step; done with every tag.
    ///
    /// # Errors
    /// [`Error::Registry`], [`Error::JsonInvalid`] for a malformed page,
    /// [`Error::LimitExceeded`] past [`Limits::list_entries_max`] or
    /// [`Limits::list_bytes_max`], or [`Error::ProtocolState`] for a link to another origin or
    /// too many pages.
    ///
    /// [`Limits::list_entries_max`]: crate::registry::Limits::list_entries_max
    /// [`Limits::list_bytes_max`]: crate::registry::Limits::list_bytes_max
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<String>>, Error> {
        let mut held = std::mem::take(&mut self.tags);
        let event = all_pages(&mut held, input, |input| {
            self.next_page(session, input, now_ms)
        });
        self.tags = held;
        event
    }

    /// The next step, done with each page: the host holds one page at a time (a tag browser
    /// iterates). After a page that is not the last, step again from [`Input::Start`]. The
    /// listing's limits count every page.
    ///
    /// # Errors
    /// As [`ListTags::next`].
    pub fn next_page(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Page<String>>, Error> {
        let response = exchange!(self, session, input, now_ms);
        if response.status != 200 {
            return Err(in_context(registry_error(&response), &self.exchange));
        }
        let body_len = response.body.len() as u64;
        if body_len > self.page_max {
            self.budget
                .count(session, "tags", self.page_max, body_len, 0)?;
        }
        let page: serde_json::Value = crate::json::parse_strict(&response.body)?;
        let mut items = Vec::new();
        if let Some(tags) = page.get("tags").filter(|t| !t.is_null()) {
            let tags = tags.as_array().ok_or_else(|| Error::JsonInvalid {
                reason: "tags must be an array".into(),
            })?;
            self.budget
                .count(session, "tags", self.page_max, body_len, tags.len() as u64)?;
            items.reserve(tags.len());
            for tag in tags {
                let tag = tag.as_str().ok_or_else(|| Error::JsonInvalid {
                    reason: "tags must be strings".into(),
                })?;
                items.push(tag.to_owned());
            }
        } else {
            self.budget
                .count(session, "tags", self.page_max, body_len, 0)?;
        }
        self.pages += 1;
        let next = next_page(
            session,
            &self.exchange,
            &response,
            self.pages,
            self.max_pages,
        )?;
        let last = next.is_none();
        if let Some(next) = next {
            self.page_max = self.budget.page_max(session, TAG_LIST_MAX);
            self.exchange = Self::exchange(next, &self.reference, self.page_max);
        }
        Ok(Event::Done(Page { items, last }))
    }
}

/// List a registry's repositories (`GET /v2/_catalog`, the catalog API distribution serves
/// and `oras repo ls` reads), following `Link` pagination on the registry's origin, within the
/// session's listing limits; all at once ([`ListRepositories::next`]) or page by page
/// ([`ListRepositories::next_page`]).
///
/// Its token has the catalog's own scope, `registry:catalog:*` (no repository token covers
/// it).
#[derive(Debug, Clone)]
pub struct ListRepositories {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    repositories: Vec<String>,
    pages: u32,
    max_pages: u32,
    budget: ListingBudget,
    /// The capture limit of the page in flight.
    page_max: u64,
}

impl ListRepositories {
    /// Lists repositories, asking for `page_size` per page when given.
    pub fn new(session: &Session, page_size: Option<u32>) -> Self {
        let mut path = "/v2/_catalog".to_owned();
        if let Some(n) = page_size {
            path.push_str(&format!("?n={n}"));
        }
        let budget = ListingBudget::default();
        let page_max = budget.page_max(session, TAG_LIST_MAX);
        Self {
            deadline: Deadline::default(),
            exchange: Self::exchange(session.url(&path), page_max),
            repositories: Vec::new(),
            pages: 0,
            max_pages: 10_000,
            budget,
            page_max,
        }
    }

    fn exchange(url: String, max: u64) -> Exchange {
        let mut request = Request::new(Method::Get, url).header("Accept", "application/json");
        request.response_body = capture(max);
        Exchange::new(request, Scope::catalog())
    }

    /// The next step; done with every repository.
    ///
    /// # Errors
    /// As [`ListTags::next`] (`UNSUPPORTED` or `NOT_FOUND` from a registry without the
    /// catalog API, `DENIED` when it is not for this user).
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<String>>, Error> {
        let mut held = std::mem::take(&mut self.repositories);
        let event = all_pages(&mut held, input, |input| {
            self.next_page(session, input, now_ms)
        });
        self.repositories = held;
        event
    }

    /// The next step, done with each page; after a page that is not the last, step again
    /// from [`Input::Start`].
    ///
    /// # Errors
    /// As [`ListRepositories::next`].
    pub fn next_page(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Page<String>>, Error> {
        let response = exchange!(self, session, input, now_ms);
        if response.status != 200 {
            return Err(in_context(registry_error(&response), &self.exchange));
        }
        let body_len = response.body.len() as u64;
        let page: serde_json::Value = crate::json::parse_strict(&response.body)?;
        let names = match page.get("repositories").filter(|r| !r.is_null()) {
            None => Vec::new(),
            Some(names) => names
                .as_array()
                .ok_or_else(|| Error::JsonInvalid {
                    reason: "repositories must be an array".into(),
                })?
                .iter()
                .map(|name| {
                    name.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| Error::JsonInvalid {
                            reason: "repositories must be strings".into(),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        self.budget.count(
            session,
            "repositories",
            self.page_max,
            body_len,
            names.len() as u64,
        )?;
        self.pages += 1;
        let next = next_page(
            session,
            &self.exchange,
            &response,
            self.pages,
            self.max_pages,
        )?;
        let last = next.is_none();
        if let Some(next) = next {
            self.page_max = self.budget.page_max(session, TAG_LIST_MAX);
            self.exchange = Self::exchange(next, self.page_max);
        }
        Ok(Event::Done(Page { items: names, last }))
    }
}

/// The URL of the next page (`Link: <…>; rel="next"`), if any. Pagination stays on the
/// registry's origin and stops with an error after `max_pages`.
pub(super) fn next_page(
    session: &Session,
    exchange: &Exchange,
    response: &crate::registry::http::Response,
    pages: u32,
    max_pages: u32,
) -> Result<Option<String>, Error> {
    let Some(link) = response.header("Link").and_then(next_link) else {
        return Ok(None);
    };
    let next = resolve_location(exchange.url(), &link).map_err(|e| Error::ProtocolState {
        reason: format!("unusable next-page link: {e}"),
    })?;
    if origin(&next).as_deref() != Some(session.base()) {
        return Err(Error::ProtocolState {
            reason: format!("refusing a next-page link to another origin: {next}"),
        });
    }
    if pages >= max_pages {
        return Err(Error::ProtocolState {
            reason: format!("more than {max_pages} pages"),
        });
    }
    Ok(Some(next))
}
