//! Listings of names: a repository's tags and a registry's repositories, each a `Listing`
//! paged through by the paging every listing shares (the `paging` module).

use super::super::http::Response;
pub use super::paging::Page;
use super::paging::{Listing, Paged, Read, names};
use super::*;

/// The tags of a repository, as [`ListTags`] pages through them.
#[derive(Debug, Clone)]
struct Tags {
    reference: Reference,
}

impl Listing for Tags {
    type Item = String;
    const WHAT: &'static str = "tags";
    const PAGE_MAX: u64 = TAG_LIST_MAX;
    const MAX_PAGES: u32 = 10_000;

    fn exchange(&self, url: String, max: u64) -> Exchange {
        // A registry without pagination (distribution 2.8.2) sends every tag in one page.
        get_document(
            url,
            &self.reference,
            "application/json",
            max,
            &[Action::Pull],
        )
    }

    fn name(item: &String) -> Option<&str> {
        Some(item)
    }

    fn read(
        &mut self,
        _: &mut Session,
        response: &Response,
        _: bool,
    ) -> Result<Read<String>, Error> {
        read_names(response, "tags")
    }
}

/// A page of names (`{"<key>": [names]}`), or the registry's error.
fn read_names(response: &Response, key: &str) -> Result<Read<String>, Error> {
    if response.status != 200 {
        return Ok(Read::Refused);
    }
    let items = names(&response.body, key)?;
    Ok(Read::Page {
        entries: items.len() as u64,
        items,
        linked: true,
    })
}

/// List a repository's tags, following `Link` pagination on the registry's origin, within
/// the session's listing limits; all at once ([`ListTags::next`]) or page by page
/// ([`ListTags::next_page`]).
#[derive(Debug, Clone)]
pub struct ListTags(Paged<Tags>);

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
        let path = format!("/v2/{}/tags/list", reference.repository());
        // `n` capped where the registry errors above it (the session's profile: ECR, 1000).
        let n = page_size.map(|n| session.tag_page_size(u64::from(n)));
        let tags = Tags {
            reference: reference.clone(),
        };
        Self(Paged::names(session, tags, &path, n, last))
    }

    /// The next step; done with every tag.
    ///
    /// # Errors
    /// [`Error::Registry`], [`Error::JsonInvalid`] for a malformed page,
    /// [`Error::LimitExceeded`] past [`Limits::list_entries_max`] or
    /// [`Limits::list_bytes_max`], or [`Error::ProtocolState`] for a link to another origin,
    /// too many pages, or a link back to a page already read (or to the same page again).
    ///
    /// [`Limits::list_entries_max`]: crate::registry::Limits::list_entries_max
    /// [`Limits::list_bytes_max`]: crate::registry::Limits::list_bytes_max
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<String>>, Error> {
        self.0.next(session, input, now_ms)
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
        self.0.next_page(session, input, now_ms)
    }
}

/// The repositories of a registry, as [`ListRepositories`] pages through them.
#[derive(Debug, Clone)]
struct Repositories;

impl Listing for Repositories {
    type Item = String;
    const WHAT: &'static str = "repositories";
    const PAGE_MAX: u64 = TAG_LIST_MAX;
    const MAX_PAGES: u32 = 10_000;

    fn exchange(&self, url: String, max: u64) -> Exchange {
        let mut request = Request::new(Method::Get, url).header("Accept", "application/json");
        request.response_body = capture(max);
        Exchange::new(request, Scope::catalog())
    }

    fn name(item: &String) -> Option<&str> {
        Some(item)
    }

    fn read(
        &mut self,
        _: &mut Session,
        response: &Response,
        _: bool,
    ) -> Result<Read<String>, Error> {
        read_names(response, "repositories")
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
pub struct ListRepositories(Paged<Repositories>);

impl ListRepositories {
    /// Lists repositories, asking for `page_size` per page when given.
    pub fn new(session: &Session, page_size: Option<u32>) -> Self {
        let n = page_size.map(u64::from);
        Self(Paged::names(session, Repositories, "/v2/_catalog", n, None))
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
        self.0.next(session, input, now_ms)
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
        self.0.next_page(session, input, now_ms)
    }
}
