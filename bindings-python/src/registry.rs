//! The registry engine: wrappers of `ocikit_core::registry` (sessions, operations, the HTTP
//! messages they exchange with the host).
//!
//! The host loop (`ocikit/_client.py` is the real one):
//!
//! ```text
//! event = op.next(session, None, now_ms)
//! while event.kind != "done":
//!     if event.kind == "send":   response = host_send(event.request)   # a Response
//!     else:                      sleep(event.ms); response = "resume"
//!     event = op.next(session, response, now_ms)
//! value = event.value
//! ```
//!
//! Sessions and operations are `frozen` classes around a `Mutex`: an operation may be driven
//! from any thread, and operations on several threads (parallel blob transfers) share one
//! session, whose lock is held only while a step is computed. Steps either finish or return an
//! error before touching shared state, so a poisoned lock still guards a consistent value
//! (`crate::sync::lock`).

use std::sync::Mutex;

use crate::text::{Text, into_strings, str_of};
use ocikit_core::registry::{
    AddReferrer, BlobExists, Body, CheckAuth, Credentials, DeleteBlob, DeleteManifest, Event,
    Failure, FailureKind, FetchedManifest, GetBlob, GetManifest, Input, Limits, ListReferrers,
    ListRepositories, ListTags, Page, PushBlob, PushOptions, PutManifest, Request, ResolveManifest,
    Resolved, Response, ResponseBody, RetryPolicy, Session,
};
use ocikit_core::{Descriptor, Error, Reference};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use crate::buffer::ByteView;
use crate::descriptor::{PyDescriptor, media_type_arg};
use crate::digest::{digest_arg, type_name};
use crate::errors::{OrRaise, bound_arg};
use crate::reference::PyReference;
use crate::sync::lock;

/// A `str` or `Reference` argument.
pub(crate) fn reference_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Reference> {
    if let Ok(parsed) = obj.cast::<PyReference>() {
        return Ok(parsed.get().0.clone());
    }
    let text = obj.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!(
            "reference must be a str or an ocikit.Reference, not {}",
            type_name(obj)
        ))
    })?;
    Reference::parse(str_of(text)?).or_raise(py)
}

/// `("user", "password")`, or a dict with `username` and `password`, `refresh_token` or
/// `access_token`.
/// `headers`: `(name, value)` pairs of `str`.
fn headers_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let shape = |found: &Bound<'_, PyAny>| {
        PyTypeError::new_err(format!(
            "headers must be a sequence of (name, value) tuples of str, not {}",
            type_name(found)
        ))
    };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyDict>() {
        return Err(shape(obj));
    }
    let mut headers = Vec::new();
    for item in obj.try_iter().map_err(|_| shape(obj))? {
        let item = item?;
        let (name, value) = item
            .extract::<(Bound<'_, PyString>, Bound<'_, PyString>)>()
            .map_err(|_| shape(&item))?;
        headers.push((str_of(&name)?.to_owned(), str_of(&value)?.to_owned()));
    }
    Ok(headers)
}

fn credentials_arg(obj: &Bound<'_, PyAny>) -> PyResult<Credentials> {
    if let Ok((username, password)) = obj.extract::<(Bound<'_, PyString>, Bound<'_, PyString>)>() {
        return Ok(Credentials::Basic {
            username: str_of(&username)?.to_owned(),
            password: str_of(&password)?.to_owned(),
        });
    }
    let shape = "credentials must be a (username, password) tuple or a dict with \"username\" \
                 and \"password\", \"refresh_token\" or \"access_token\"";
    let dict = obj
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err(format!("{shape}, not {}", type_name(obj))))?;
    let text = |key: &str| -> PyResult<Option<String>> {
        dict.get_item(key)?
            .filter(|v| !v.is_none())
            .map(|v| v.extract::<Text>().map(String::from))
            .transpose()
    };
    let keys = into_strings(dict.keys().extract()?);
    let known = ["username", "password", "refresh_token", "access_token"];
    if let Some(unknown) = keys.iter().find(|k| !known.contains(&k.as_str())) {
        return Err(PyValueError::new_err(format!(
            "{shape}; unknown key {unknown:?}"
        )));
    }
    match (
        text("username")?,
        text("password")?,
        text("refresh_token")?,
        text("access_token")?,
    ) {
        (Some(username), Some(password), None, None) => {
            Ok(Credentials::Basic { username, password })
        }
        (None, None, Some(token), None) => Ok(Credentials::RefreshToken(token)),
        (None, None, None, Some(token)) => Ok(Credentials::AccessToken(token)),
        _ => Err(PyValueError::new_err(shape)),
    }
}

/// How often and how long the engine retries requests that failed in ways that may pass
/// (408, 429, 5xx): `max_retries` attempts after the first, waiting `base_delay_ms` before the
/// first retry and twice as long before each next one, or what `Retry-After` asks when that is
/// longer, never more than `max_delay_ms`.
#[pyclass(name = "RetryPolicy", module = "ocikit", frozen, eq, from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyRetryPolicy(pub(crate) RetryPolicy);

#[pymethods]
impl PyRetryPolicy {
    #[new]
    #[pyo3(signature = (*, max_retries = None, base_delay_ms = None, max_delay_ms = None))]
    fn new(
        max_retries: Option<u32>,
        base_delay_ms: Option<u64>,
        max_delay_ms: Option<u64>,
    ) -> Self {
        let default = RetryPolicy::default();
        Self(RetryPolicy {
            max_retries: max_retries.unwrap_or(default.max_retries),
            base_delay_ms: base_delay_ms.unwrap_or(default.base_delay_ms),
            max_delay_ms: max_delay_ms.unwrap_or(default.max_delay_ms),
        })
    }

    /// Attempts after the first.
    #[getter]
    fn max_retries(&self) -> u32 {
        self.0.max_retries
    }

    /// The first wait, in milliseconds; each later one doubles.
    #[getter]
    fn base_delay_ms(&self) -> u64 {
        self.0.base_delay_ms
    }

    /// No wait is longer than this, whatever `Retry-After` says.
    #[getter]
    fn max_delay_ms(&self) -> u64 {
        self.0.max_delay_ms
    }

    /// The wait before retry number `attempt` (1-based) after `status`, or `None` to give up;
    /// `retry_after` is the header's value, `now_ms` the Unix time in milliseconds (for an
    /// HTTP-date).
    #[pyo3(signature = (status, attempt, retry_after = None, now_ms = 0))]
    fn delay_ms(
        &self,
        status: u16,
        attempt: u32,
        retry_after: Option<Text>,
        now_ms: u64,
    ) -> Option<u64> {
        self.0
            .delay_ms(status, attempt, retry_after.as_deref(), now_ms)
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(max_retries={}, base_delay_ms={}, max_delay_ms={})",
            self.0.max_retries, self.0.base_delay_ms, self.0.max_delay_ms
        )
    }
}

/// The bounds every operation on a session keeps to (each default documented; a `deadline_ms`
/// or `request_timeout_ms` of 0 is none): `stall_timeout_ms` (30 s without a byte moving),
/// `request_timeout_ms` (60 s for a captured body: a manifest, a token, a tag page, an error),
/// `deadline_ms` (1 hour per operation), `retry_after_max_ms` (60 s: a longer `Retry-After`
/// fails at once with TOOMANYREQUESTS), `list_entries_max` (100 000 tags or referrers in one
/// listing), `list_bytes_max` (32 MiB over all the pages of one listing). A bound that is not a
/// whole number from 0 to 2**64 - 1 raises `ValidationError` (`OPTIONS_INVALID`) when made.
#[pyclass(name = "Limits", module = "ocikit", frozen, eq, from_py_object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyLimits(pub(crate) Limits);

#[pymethods]
impl PyLimits {
    #[new]
    #[pyo3(signature = (
        *,
        stall_timeout_ms = None,
        request_timeout_ms = None,
        deadline_ms = None,
        retry_after_max_ms = None,
        list_entries_max = None,
        list_bytes_max = None,
    ))]
    fn new(
        stall_timeout_ms: Option<&Bound<'_, PyAny>>,
        request_timeout_ms: Option<&Bound<'_, PyAny>>,
        deadline_ms: Option<&Bound<'_, PyAny>>,
        retry_after_max_ms: Option<&Bound<'_, PyAny>>,
        list_entries_max: Option<&Bound<'_, PyAny>>,
        list_bytes_max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let default = Limits::default();
        let bound = |value, field, default| {
            bound_arg(value, field, u64::MAX).map(|given| given.unwrap_or(default))
        };
        Ok(Self(Limits {
            stall_timeout_ms: bound(
                stall_timeout_ms,
                "Limits.stall_timeout_ms",
                default.stall_timeout_ms,
            )?,
            request_timeout_ms: bound(
                request_timeout_ms,
                "Limits.request_timeout_ms",
                default.request_timeout_ms,
            )?,
            deadline_ms: bound(deadline_ms, "Limits.deadline_ms", default.deadline_ms)?,
            retry_after_max_ms: bound(
                retry_after_max_ms,
                "Limits.retry_after_max_ms",
                default.retry_after_max_ms,
            )?,
            list_entries_max: bound(
                list_entries_max,
                "Limits.list_entries_max",
                default.list_entries_max,
            )?,
            list_bytes_max: bound(
                list_bytes_max,
                "Limits.list_bytes_max",
                default.list_bytes_max,
            )?,
        }))
    }

    /// No byte moving for this long fails a transfer, in milliseconds (0 = never).
    #[getter]
    fn stall_timeout_ms(&self) -> u64 {
        self.0.stall_timeout_ms
    }

    /// The time limit of a request whose body is captured whole, in milliseconds (0 = none).
    #[getter]
    fn request_timeout_ms(&self) -> u64 {
        self.0.request_timeout_ms
    }

    /// The time limit of one operation from its first step, in milliseconds (0 = none).
    #[getter]
    fn deadline_ms(&self) -> u64 {
        self.0.deadline_ms
    }

    /// The longest `Retry-After` waited for, in milliseconds.
    #[getter]
    fn retry_after_max_ms(&self) -> u64 {
        self.0.retry_after_max_ms
    }

    /// The most tags or referrers in one listing.
    #[getter]
    fn list_entries_max(&self) -> u64 {
        self.0.list_entries_max
    }

    /// The most bytes of all the pages of one listing.
    #[getter]
    fn list_bytes_max(&self) -> u64 {
        self.0.list_bytes_max
    }

    fn __repr__(&self) -> String {
        let l = &self.0;
        format!(
            "Limits(stall_timeout_ms={}, request_timeout_ms={}, deadline_ms={}, retry_after_max_ms={}, list_entries_max={}, list_bytes_max={})",
            l.stall_timeout_ms,
            l.request_timeout_ms,
            l.deadline_ms,
            l.retry_after_max_ms,
            l.list_entries_max,
            l.list_bytes_max
        )
    }
}

/// A registry, the credentials for it, and the tokens it issued (cached by scope until they
/// expire). Operations on any thread may share one session.
#[pyclass(name = "RegistrySession", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyRegistrySession {
    pub(crate) registry: String,
    plain_http: bool,
    /// `Debug` of the credentials, which never shows secrets.
    credentials: String,
    retry_policy: RetryPolicy,
    limits: Limits,
    pub(crate) session: Mutex<Session>,
}

#[pymethods]
impl PyRegistrySession {
    #[new]
    #[pyo3(signature = (
        registry,
        *,
        plain_http = false,
        credentials = None,
        retry_policy = None,
        limits = None,
        profile = None,
        headers = None,
    ))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of one constructor
    fn new(
        py: Python<'_>,
        registry: Text,
        plain_http: bool,
        credentials: Option<&Bound<'_, PyAny>>,
        retry_policy: Option<PyRetryPolicy>,
        limits: Option<PyLimits>,
        profile: Option<Text>,
        headers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // The registry is half of a reference: the core's grammar checks it (a URL such as
        // "http://host", or a space, would make every request URL one no host can send).
        let registry = String::from(registry);
        if let Err(err) = Reference::new(&registry, "x", None, None) {
            let err = match err {
                Error::ReferenceInvalid { reason, .. } => Error::ReferenceInvalid {
                    value: registry,
                    reason,
                },
                other => other,
            };
            return Err(crate::errors::to_py_err(py, &err));
        }
        let credentials = credentials
            .filter(|c| !c.is_none())
            .map(credentials_arg)
            .transpose()?;
        let retry_policy = retry_policy.map_or_else(RetryPolicy::default, |p| p.0);
        let limits = limits.map_or_else(Limits::default, |l| l.0);
        let mut session = Session::new(&registry, plain_http, credentials.clone())
            .with_retry_policy(retry_policy)
            .with_limits(limits);
        // The registry profile the engine adapts to (chunk sizes, monolithic uploads, `n`).
        if let Some(name) = profile {
            let profile = ocikit_core::profiles::Profile::by_name(&String::from(name))
                .map_err(|err| crate::errors::to_py_err(py, &err))?;
            session = session.with_profile(profile);
        }
        if let Some(headers) = headers.filter(|h| !h.is_none()) {
            session = session.with_headers(headers_arg(headers)?).or_raise(py)?;
        }
        Ok(Self {
            credentials: credentials
                .as_ref()
                .map_or_else(|| "None".to_owned(), |c| format!("{c:?}")),
            session: Mutex::new(session),
            registry,
            plain_http,
            retry_policy,
            limits,
        })
    }

    /// The registry, `host[:port]`.
    #[getter]
    fn registry(&self) -> &str {
        &self.registry
    }

    /// The shortest round trip measured on the registry (ms), or `None` before any: it sets
    /// how many large transfers go at once (`Concurrency::for_round_trip`).
    #[getter]
    fn round_trip_ms(&self, py: Python<'_>) -> Option<u64> {
        lock(py, &self.session).round_trip_ms()
    }

    /// Whether the registry is reached over plain HTTP.
    #[getter]
    fn plain_http(&self) -> bool {
        self.plain_http
    }

    /// How requests that may pass are retried.
    #[getter]
    fn retry_policy(&self) -> PyRetryPolicy {
        PyRetryPolicy(self.retry_policy)
    }

    /// The bounds every operation on this session keeps to.
    #[getter]
    fn limits(&self) -> PyLimits {
        PyLimits(self.limits)
    }

    /// `scheme://host[:port]`.
    #[getter]
    fn base(&self, py: Python<'_>) -> String {
        lock(py, &self.session).base().to_owned()
    }

    /// Whether the registry serves the referrers API: `None` until an operation finds out.
    #[getter]
    fn referrers_api(&self, py: Python<'_>) -> Option<bool> {
        lock(py, &self.session).referrers_api()
    }

    /// Records whether the registry serves the referrers API (referrer lists learn it
    /// themselves; a host that knows better says so).
    fn set_referrers_api(&self, py: Python<'_>, supported: bool) {
        lock(py, &self.session).set_referrers_api(supported);
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let registry = PyString::new(py, &self.registry).repr()?;
        Ok(format!(
            "RegistrySession({registry}, plain_http={}, credentials={})",
            if self.plain_http { "True" } else { "False" },
            self.credentials
        ))
    }
}

/// An HTTP request the engine asks the host to send, exactly as described: the host adds no
/// headers of its own but `Host` and `Content-Length`, and follows no redirects.
#[pyclass(name = "Request", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyRequest(pub(crate) Request);

#[pymethods]
impl PyRequest {
    /// `"GET"`, `"HEAD"`, `"PUT"`, `"POST"`, `"PATCH"` or `"DELETE"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method.as_str()
    }

    /// The absolute URL.
    #[getter]
    fn url(&self) -> &str {
        &self.0.url
    }

    /// The headers, in order, as `(name, value)` pairs.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, &self.0.headers)
    }

    /// The value of a header (case-insensitive), or `None`.
    fn header(&self, name: Text) -> Option<&str> {
        self.0.header_value(&name)
    }

    /// `None`, the bytes to send, or `(offset, length)`: that range of the blob being
    /// uploaded, which the host streams from wherever the content lives.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match &self.0.body {
            Body::Empty => py.None().into_bound(py),
            Body::Bytes(bytes) => PyBytes::new(py, bytes).into_any(),
            Body::Blob { offset, length } => (offset, length).into_pyobject(py)?.into_any(),
        })
    }

    /// Whether a 2xx response body is streamed to the destination while hashed (the host then
    /// reports `streamed=(digest, size)`), rather than read whole.
    #[getter]
    fn stream(&self) -> bool {
        matches!(self.0.response_body, ResponseBody::Stream { .. })
    }

    /// For a streamed request, the bytes of the body still expected: read at most
    /// `stream_max + 1` of a 2xx body, stop there, and report the size seen (the engine answers
    /// `SIZE_MISMATCH`); `None` for a captured body.
    #[getter]
    fn stream_max(&self) -> Option<u64> {
        match self.0.response_body {
            ResponseBody::Stream { max } => Some(max),
            ResponseBody::Capture { .. } => None,
        }
    }

    /// The stall timeout to enforce, in milliseconds: fail the request (feed
    /// `Failure("timeout", …)`) when no byte moves for this long; 0 = none.
    #[getter]
    fn timeout_ms(&self) -> u64 {
        self.0.timeout_ms
    }

    /// The absolute time (Unix ms, the clock of `now_ms`) by which the whole exchange must be
    /// over, or `None`; past it, stop and feed `Failure("timeout", …)`.
    #[getter]
    fn deadline_ms(&self) -> Option<u64> {
        self.0.deadline_ms
    }

    /// The most bytes of the response body to read (more is an error); for a streamed
    /// request, the limit of an error body.
    #[getter]
    fn capture_max(&self) -> u64 {
        match self.0.response_body {
            ResponseBody::Capture { max } => max,
            ResponseBody::Stream { .. } => ocikit_core::registry::http::ERROR_BODY_MAX,
        }
    }

    fn __repr__(&self) -> String {
        format!("<Request {} {}>", self.0.method, self.0.url)
    }
}

/// A response the host received, to feed back to the operation that asked for it.
#[pyclass(name = "Response", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyResponse(pub(crate) Response);

#[pymethods]
impl PyResponse {
    /// `headers` is a sequence of `(name, value)` pairs or a mapping; `body` the captured
    /// body (empty when streamed); `streamed` the `(digest, size)` of a streamed body.
    #[new]
    #[pyo3(signature = (status, headers = None, body = None, streamed = None))]
    fn new(
        py: Python<'_>,
        status: u16,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        streamed: Option<(Bound<'_, PyAny>, u64)>,
    ) -> PyResult<Self> {
        let headers = match headers.filter(|h| !h.is_none()) {
            None => Vec::new(),
            // A list of pairs (what transports pass) first: asking a list for `items` raised
            // and dropped an AttributeError on every response.
            Some(h) if !h.is_instance_of::<PyList>() && h.hasattr("items")? => h
                .call_method0("items")?
                .try_iter()?
                .map(|pair| pair?.extract::<(Text, Text)>().map(|(k, v)| (k.0, v.0)))
                .collect::<PyResult<_>>()?,
            Some(h) => h
                .try_iter()?
                .map(|pair| pair?.extract::<(Text, Text)>().map(|(k, v)| (k.0, v.0)))
                .collect::<PyResult<_>>()?,
        };
        let body = match body.filter(|b| !b.is_none()) {
            None => Vec::new(),
            Some(b) => ByteView::new(b)?.as_slice().to_vec(),
        };
        let streamed = streamed
            .map(|(digest, size)| digest_arg(py, &digest).map(|d| (d, size)))
            .transpose()?;
        Ok(Self(Response {
            status,
            headers,
            body,
            streamed,
        }))
    }

    /// The status code.
    #[getter]
    fn status(&self) -> u16 {
        self.0.status
    }

    /// The headers as given.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, &self.0.headers)
    }

    /// The captured body.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.body)
    }

    /// `(digest, size)` of a streamed body, or `None`.
    #[getter]
    fn streamed(&self) -> Option<(String, u64)> {
        self.0
            .streamed
            .as_ref()
            .map(|(digest, size)| (digest.to_string(), *size))
    }

    fn __repr__(&self) -> String {
        format!("<Response {}>", self.0.status)
    }
}

/// What an operation asks of the host: `kind` is `"send"` (send `request`, feed back its
/// `Response`), `"wait"` (sleep `ms` milliseconds, feed back `"resume"`) or `"done"` (the
/// operation's result is `value`).
#[pyclass(name = "Event", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyEvent {
    kind: &'static str,
    request: Option<Py<PyRequest>>,
    ms: Option<u64>,
    value: Py<PyAny>,
}

#[pymethods]
impl PyEvent {
    /// `"send"`, `"wait"` or `"done"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    /// The request to send (`"send"` only).
    #[getter]
    fn request(&self, py: Python<'_>) -> Option<Py<PyRequest>> {
        self.request.as_ref().map(|r| r.clone_ref(py))
    }

    /// How long to wait, in milliseconds (`"wait"` only).
    #[getter]
    fn ms(&self) -> Option<u64> {
        self.ms
    }

    /// The operation's result (`"done"` only).
    #[getter]
    fn value(&self, py: Python<'_>) -> Py<PyAny> {
        self.value.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match self.kind {
            "send" => format!(
                "<Event send {}>",
                self.request
                    .as_ref()
                    .map(|r| r.get().__repr__())
                    .unwrap_or_default()
            ),
            "wait" => format!("<Event wait {}ms>", self.ms.unwrap_or_default()),
            _ => format!("<Event done {}>", self.value.bind(py).repr()?),
        })
    }
}

/// A transport failure to feed an operation instead of a response: `kind` is `"network"`
/// (refused, reset, unreachable, not HTTP), `"tls"` (handshake, certificate) or `"timeout"`
/// (the request's `timeout_ms` or `deadline_ms` passed); `message` describes it (an
/// exception's text). The operation answers with `NETWORK_ERROR`, `TLS_ERROR` or `TIMEOUT`
/// naming the host, or retries what is safe to repeat. For a cut download, `received` is how
/// many bytes of the blob the host's sink holds (from its first byte): the operation asks for
/// the rest with `Range` (on 206 the host appends, on 200 it starts over).
#[pyclass(name = "Failure", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyFailure(Failure);

#[pymethods]
impl PyFailure {
    #[new]
    #[pyo3(signature = (kind, message, *, received = None))]
    fn new(kind: Text, message: Text, received: Option<u64>) -> PyResult<Self> {
        let kind = FailureKind::parse(&kind).ok_or_else(|| {
            PyValueError::new_err(format!(
                "kind must be \"network\", \"tls\", \"timeout\" or \"blocked\", not {kind:?}"
            ))
        })?;
        Ok(Self(Failure {
            kind,
            message: message.into(),
            received,
        }))
    }

    /// For a cut download: the bytes of the blob the host's sink holds, or `None`.
    #[getter]
    fn received(&self) -> Option<u64> {
        self.0.received
    }

    /// `"network"`, `"tls"`, `"timeout"` or `"blocked"` (a browser's fetch: see the core's
    /// `FailureKind::Blocked`).
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// The host's description of the failure.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let message = PyString::new(py, &self.0.message).repr()?;
        Ok(match self.0.received {
            Some(n) => format!(
                "Failure('{}', {message}, received={n})",
                self.0.kind.as_str()
            ),
            None => format!("Failure('{}', {message})", self.0.kind.as_str()),
        })
    }
}

/// `None` (the first step), a `Response`, a `Failure`, or `"resume"` (after a wait).
pub(crate) fn input_arg(input: Option<&Bound<'_, PyAny>>) -> PyResult<Input> {
    let Some(input) = input.filter(|i| !i.is_none()) else {
        return Ok(Input::Start);
    };
    if let Ok(response) = input.cast::<PyResponse>() {
        return Ok(Input::Response(response.get().0.clone()));
    }
    if let Ok(failure) = input.cast::<PyFailure>() {
        return Ok(Input::Failure(failure.get().0.clone()));
    }
    if input
        .cast::<PyString>()
        .is_ok_and(|s| s.to_cow().is_ok_and(|s| s == "resume"))
    {
        return Ok(Input::Resume);
    }
    Err(PyTypeError::new_err(format!(
        "input must be None, an ocikit.Response, an ocikit.Failure or \"resume\", not {}",
        type_name(input)
    )))
}

fn event<'py, T>(
    py: Python<'py>,
    event: Event<T>,
    value: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<PyEvent> {
    Ok(match event {
        Event::Send(request) => PyEvent {
            kind: "send",
            request: Some(Py::new(py, PyRequest(request))?),
            ms: None,
            value: py.None(),
        },
        Event::Wait(ms) => PyEvent {
            kind: "wait",
            request: None,
            ms: Some(ms),
            value: py.None(),
        },
        Event::Done(done) => PyEvent {
            kind: "done",
            request: None,
            ms: None,
            value: value(py, done)?.unbind(),
        },
    })
}

/// Steps a core operation: locks it, then the session, and converts the event.
fn step<'py, Op, T>(
    py: Python<'py>,
    op: &Mutex<Op>,
    session: &PyRegistrySession,
    input: Option<&Bound<'_, PyAny>>,
    now_ms: u64,
    next: impl FnOnce(&mut Op, &mut Session, Input, u64) -> Result<Event<T>, Error>,
    value: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<PyEvent> {
    let input = input_arg(input)?;
    let mut op = lock(py, op);
    let outcome = {
        let mut session = lock(py, &session.session);
        next(&mut op, &mut session, input, now_ms)
    };
    event(py, outcome.or_raise(py)?, value)
}

/// A manifest as fetched: its exact bytes, their digest, and the served media type.
#[pyclass(name = "FetchedManifest", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyFetchedManifest(FetchedManifest);

#[pymethods]
impl PyFetchedManifest {
    /// `Content-Type` as served (without parameters); from a registry that sends none, the
    /// document's own `mediaType`, else the type its shape gives (the core's
    /// `FetchedManifest::media_type`).
    #[getter]
    fn media_type(&self) -> &str {
        &self.0.media_type
    }

    /// The exact bytes.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.bytes)
    }

    /// The digest of the bytes (checked against the reference and `Docker-Content-Digest`).
    #[getter]
    fn digest(&self) -> String {
        self.0.digest.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "FetchedManifest(media_type='{}', digest='{}', size={})",
            self.0.media_type,
            self.0.digest,
            self.0.bytes.len()
        )
    }
}

/// What resolving a reference tells: the manifest's media type, digest and size.
#[pyclass(name = "Resolved", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyResolved(Resolved);

#[pymethods]
impl PyResolved {
    /// `Content-Type` as served to the HEAD (without parameters); without one, the fetched
    /// document's type (a GET follows).
    #[getter]
    fn media_type(&self) -> &str {
        &self.0.media_type
    }

    /// The manifest's digest.
    #[getter]
    fn digest(&self) -> String {
        self.0.digest.to_string()
    }

    /// The manifest's size.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    fn __repr__(&self) -> String {
        format!(
            "Resolved(media_type='{}', digest='{}', size={})",
            self.0.media_type, self.0.digest, self.0.size
        )
    }
}

/// The `#[pymethods]` of an operation class whose core operation is in `self.0`: `methods`
/// (its constructor…), plus `next` whose done value `value` converts.
macro_rules! operation {
    ($op:ty, $value:expr, { $($methods:tt)* }) => {
        #[pymethods]
        impl $op {
            $($methods)*

            /// The next step: `input` is `None` for the first, then the `Response` to the last
            /// request, or `"resume"` after a wait; `now_ms` is the Unix time in milliseconds.
            ///
            /// Raises the operation's error (`RegistryError`, `DigestMismatchError`, …).
            #[pyo3(signature = (session, input, now_ms))]
            fn next(
                &self,
                py: Python<'_>,
                session: &PyRegistrySession,
                input: Option<&Bound<'_, PyAny>>,
                now_ms: u64,
            ) -> PyResult<PyEvent> {
                step(
                    py,
                    &self.0,
                    session,
                    input,
                    now_ms,
                    |op, session, input, now| op.next(session, input, now),
                    $value,
                )
            }

            fn __repr__(&self) -> String {
                format!("<{}>", stringify!($op).trim_start_matches("Py"))
            }
        }
    };
}

/// GET a manifest by tag or digest; done with a `FetchedManifest`.
#[pyclass(name = "GetManifest", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyGetManifest(Mutex<GetManifest>);

operation!(
    PyGetManifest,
    |py, m| Ok(Bound::new(py, PyFetchedManifest(m))?.into_any()),
    {
        /// `max_size` caps the manifest's size (default 4 MiB, distribution's own limit).
        #[new]
        #[pyo3(signature = (session, reference, *, max_size = None))]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            max_size: Option<u64>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let session = lock(py, &session.session);
            let max = max_size.unwrap_or(ocikit_core::registry::operations::MANIFEST_SIZE_MAX);
            Ok(Self(Mutex::new(GetManifest::with_limit(
                &session, &reference, max,
            ))))
        }
    }
);

/// PUT a manifest's exact bytes under the reference's tag (or its digest); done with the
/// digest.
#[pyclass(name = "PutManifest", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyPutManifest(Mutex<PutManifest>);

operation!(
    PyPutManifest,
    |py, d| Ok(PyString::new(py, &d.to_string()).into_any()),
    {
        #[new]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            media_type: Text,
            data: &Bound<'_, PyAny>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let media_type = media_type_arg(py, &media_type)?;
            let bytes = ByteView::new(data)?.as_slice().to_vec();
            let session = lock(py, &session.session);
            Ok(Self(Mutex::new(PutManifest::new(
                &session,
                &reference,
                &media_type,
                bytes,
            ))))
        }

        /// After the PUT: whether the registry indexed the manifest's subject for the referrers
        /// API (`OCI-Subject`). When a manifest with a subject was pushed and this is false, run
        /// `AddReferrer`.
        #[getter]
        fn subject_processed(&self, py: Python<'_>) -> bool {
            lock(py, &self.0).subject_processed()
        }
    }
);

/// HEAD a blob; done with its size, or `None` when the repository does not have it.
#[pyclass(name = "BlobExists", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyBlobExists(Mutex<BlobExists>);

operation!(
    PyBlobExists,
    |py, size: Option<u64>| Ok(size.into_pyobject(py)?.into_any()),
    {
        #[new]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            digest: &Bound<'_, PyAny>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let digest = digest_arg(py, digest)?;
            let session = lock(py, &session.session);
            Ok(Self(Mutex::new(BlobExists::new(
                &session, &reference, &digest,
            ))))
        }
    }
);

/// Upload a blob (skipped when present; mounted from `mount_from` when given; monolithic, or
/// in chunks of `chunk_size` bytes); done with `True` when uploaded or mounted, `False` when
/// the repository had it. The request bodies are `(offset, length)` ranges of the blob.
#[pyclass(name = "PushBlob", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyPushBlob(Mutex<PushBlob>);

operation!(
    PyPushBlob,
    |py, uploaded: bool| Ok(uploaded.into_pyobject(py)?.to_owned().into_any()),
    {
        #[new]
        #[pyo3(signature = (
            session, reference, descriptor, *, mount_from = None, chunk_size = None,
            content_size = None,
        ))]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            descriptor: PyRef<'_, PyDescriptor>,
            mount_from: Option<Text>,
            chunk_size: Option<u64>,
            content_size: Option<u64>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let options = PushOptions {
                mount_from: mount_from.map(String::from),
                chunk_size: chunk_size.filter(|&c| c > 0),
                mount_only: false,
            };
            let session = lock(py, &session.session);
            let push = PushBlob::with_options(&session, &reference, &descriptor.0, options);
            Ok(Self(Mutex::new(match content_size {
                Some(size) => push.content_size(size),
                None => push,
            })))
        }

        /// Resumes an interrupted upload at `upload_url` (the `upload_url` of the interrupted
        /// operation): asks the registry how much it has, then sends the rest in chunks.
        #[staticmethod]
        #[pyo3(signature = (
            session, reference, descriptor, upload_url, chunk_size, *, content_size = None,
        ))]
        fn resume(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            descriptor: PyRef<'_, PyDescriptor>,
            upload_url: Text,
            chunk_size: u64,
            content_size: Option<u64>,
        ) -> PyResult<Self> {
            if chunk_size == 0 {
                return Err(PyValueError::new_err("chunk_size must be positive"));
            }
            let reference = reference_arg(py, reference)?;
            let session = lock(py, &session.session);
            let push =
                PushBlob::resume(&session, &reference, &descriptor.0, &upload_url, chunk_size);
            Ok(Self(Mutex::new(match content_size {
                Some(size) => push.content_size(size),
                None => push,
            })))
        }

        /// The newest upload URL, to resume from after an interruption (`""` before the upload
        /// session starts).
        #[getter]
        fn upload_url(&self, py: Python<'_>) -> String {
            lock(py, &self.0).upload_url().to_owned()
        }
    }
);

/// GET a blob, streamed by the host to its destination while hashed; done with `None` once
/// the digest and size the host reported match the descriptor. With `have`, asks for the
/// rest of a download of which the host has the first `have` bytes (on 206 the host appends;
/// on 200 it starts over; either way it reports the whole blob's digest and size).
#[pyclass(name = "GetBlob", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyGetBlob(Mutex<GetBlob>);

operation!(PyGetBlob, |py, ()| Ok(py.None().into_bound(py)), {
    #[new]
    #[pyo3(signature = (session, reference, descriptor, *, have = 0))]
    fn new(
        py: Python<'_>,
        session: &PyRegistrySession,
        reference: &Bound<'_, PyAny>,
        descriptor: PyRef<'_, PyDescriptor>,
        have: u64,
    ) -> PyResult<Self> {
        let reference = reference_arg(py, reference)?;
        let session = lock(py, &session.session);
        Ok(Self(Mutex::new(GetBlob::resume(
            &session,
            &reference,
            &descriptor.0,
            have,
        ))))
    }
});

/// Resolve a tag or digest to the manifest's media type, digest and size (HEAD, or GET when
/// the registry's HEAD does not tell); done with a `Resolved`.
#[pyclass(name = "ResolveManifest", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyResolveManifest(Mutex<ResolveManifest>);

operation!(
    PyResolveManifest,
    |py, r| Ok(Bound::new(py, PyResolved(r))?.into_any()),
    {
        #[new]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let session = lock(py, &session.session);
            Ok(Self(Mutex::new(ResolveManifest::new(&session, &reference))))
        }
    }
);

/// `GET /v2/` with the session's credentials, as `docker login` checks them; done with `None`.
#[pyclass(name = "CheckAuth", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyCheckAuth(Mutex<CheckAuth>);

operation!(PyCheckAuth, |py, ()| Ok(py.None().into_bound(py)), {
    #[new]
    fn new(py: Python<'_>, session: &PyRegistrySession) -> Self {
        let session = lock(py, &session.session);
        Self(Mutex::new(CheckAuth::new(&session)))
    }
});

/// DELETE a manifest by digest; done with `None`.
#[pyclass(name = "DeleteManifest", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyDeleteManifest(Mutex<DeleteManifest>);

operation!(PyDeleteManifest, |py, ()| Ok(py.None().into_bound(py)), {
    #[new]
    fn new(
        py: Python<'_>,
        session: &PyRegistrySession,
        reference: &Bound<'_, PyAny>,
        digest: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let reference = reference_arg(py, reference)?;
        let digest = digest_arg(py, digest)?;
        let session = lock(py, &session.session);
        Ok(Self(Mutex::new(DeleteManifest::new(
            &session, &reference, &digest,
        ))))
    }
});

/// DELETE a blob by digest; done with `None`.
#[pyclass(name = "DeleteBlob", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyDeleteBlob(Mutex<DeleteBlob>);

operation!(PyDeleteBlob, |py, ()| Ok(py.None().into_bound(py)), {
    #[new]
    fn new(
        py: Python<'_>,
        session: &PyRegistrySession,
        reference: &Bound<'_, PyAny>,
        digest: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let reference = reference_arg(py, reference)?;
        let digest = digest_arg(py, digest)?;
        let session = lock(py, &session.session);
        Ok(Self(Mutex::new(DeleteBlob::new(
            &session, &reference, &digest,
        ))))
    }
});

/// List a registry's repositories (the catalog), following pagination; done with a list of
/// names (`next`), or page by page (`next_page`), within the session's listing limits.
#[pyclass(name = "ListRepositories", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyListRepositories(Mutex<ListRepositories>);

operation!(
    PyListRepositories,
    |py, names: Vec<String>| Ok(PyList::new(py, names)?.into_any()),
    {
        #[new]
        #[pyo3(signature = (session, *, page_size = None))]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            page_size: Option<u32>,
        ) -> PyResult<Self> {
            let session = lock(py, &session.session);
            Ok(Self(Mutex::new(ListRepositories::new(&session, page_size))))
        }

        /// The next step, done with each `Page` of names: after a page that is not the last,
        /// call again with `None` for the next one.
        #[pyo3(signature = (session, input, now_ms))]
        fn next_page(
            &self,
            py: Python<'_>,
            session: &PyRegistrySession,
            input: Option<&Bound<'_, PyAny>>,
            now_ms: u64,
        ) -> PyResult<PyEvent> {
            step(
                py,
                &self.0,
                session,
                input,
                now_ms,
                |op, session, input, now| op.next_page(session, input, now),
                name_page,
            )
        }
    }
);

/// One page of a listing driven with `next_page`: its `items` (tags, or referrers'
/// `Descriptor`s), and whether it is the `last`; if not, call `next_page(session, None, now_ms)`
/// again for the next one. `next` is the core's `Page::next`.
#[pyclass(name = "Page", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyPage {
    items: Py<PyList>,
    last: bool,
    next: Option<String>,
}

#[pymethods]
impl PyPage {
    /// The entries of this page.
    #[getter]
    fn items(&self, py: Python<'_>) -> Py<PyList> {
        self.items.clone_ref(py)
    }

    /// Whether this is the last page.
    #[getter]
    fn last(&self) -> bool {
        self.last
    }

    /// For a page of names (tags, repositories) that is not the last: the `last` that asks for
    /// the page after it (its last entry), for a caller that lists a page at a time across
    /// requests. `None` after the last page, for an empty page and for referrers, whose pages
    /// follow the registry's `Link` alone.
    #[getter]
    fn next(&self) -> Option<&str> {
        self.next.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let next = match &self.next {
            Some(next) => PyString::new(py, next).repr()?.to_string(),
            None => "None".to_owned(),
        };
        Ok(format!(
            "Page(items=<{} entries>, last={}, next={next})",
            self.items.bind(py).len(),
            if self.last { "True" } else { "False" },
        ))
    }
}

/// A page of names (tags, repositories), with the core's cursor to the page after it.
fn name_page(py: Python<'_>, page: Page<String>) -> PyResult<Bound<'_, PyAny>> {
    let next = page.next().map(str::to_owned);
    listing_page(py, page, next, |name| {
        Ok(PyString::new(py, &name).into_any())
    })
}

fn listing_page<'py, T>(
    py: Python<'py>,
    page: Page<T>,
    next: Option<String>,
    item: impl Fn(T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let items = PyList::empty(py);
    for entry in page.items {
        items.append(item(entry)?)?;
    }
    Ok(Bound::new(
        py,
        PyPage {
            items: items.unbind(),
            last: page.last,
            next,
        },
    )?
    .into_any())
}

/// List a repository's tags, following pagination; done with a list of tags (`next`), or
/// page by page (`next_page`), within the session's listing limits.
#[pyclass(name = "ListTags", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyListTags(Mutex<ListTags>);

operation!(
    PyListTags,
    |py, tags: Vec<String>| Ok(PyList::new(py, tags)?.into_any()),
    {
        #[new]
        #[pyo3(signature = (session, reference, *, page_size = None, last = None))]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            page_size: Option<u32>,
            last: Option<&str>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let session = lock(py, &session.session);
            let operation = match last {
                // distribution-spec's `last`: the listing starts after this tag.
                Some(last) => ListTags::after(&session, &reference, page_size, last)
                    .map_err(|err| crate::errors::to_py_err(py, &err))?,
                None => ListTags::new(&session, &reference, page_size),
            };
            Ok(Self(Mutex::new(operation)))
        }

        /// The next step, done with each `Page` of tags: after a page that is not the last,
        /// call again with `None` for the next one.
        #[pyo3(signature = (session, input, now_ms))]
        fn next_page(
            &self,
            py: Python<'_>,
            session: &PyRegistrySession,
            input: Option<&Bound<'_, PyAny>>,
            now_ms: u64,
        ) -> PyResult<PyEvent> {
            step(
                py,
                &self.0,
                session,
                input,
                now_ms,
                |op, session, input, now| op.next_page(session, input, now),
                name_page,
            )
        }
    }
);

/// List what refers to `subject` (the referrers API, or the tag schema on 404), optionally
/// only artifacts of `artifact_type`; done with a list of `Descriptor` (`next`), or page by
/// page (`next_page`), within the session's listing limits.
#[pyclass(name = "ListReferrers", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyListReferrers(Mutex<ListReferrers>);

operation!(
    PyListReferrers,
    |py, found: Vec<Descriptor>| Ok(
        PyList::new(py, found.into_iter().map(PyDescriptor))?.into_any()
    ),
    {
        #[new]
        #[pyo3(signature = (session, reference, subject, *, artifact_type = None))]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            subject: &Bound<'_, PyAny>,
            artifact_type: Option<Text>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let subject = digest_arg(py, subject)?;
            let session = lock(py, &session.session);
            Ok(Self(Mutex::new(ListReferrers::new(
                &session,
                &reference,
                &subject,
                artifact_type.as_deref(),
            ))))
        }

        /// The next step, done with each `Page` of `Descriptor`s: after a page that is not
        /// the last, call again with `None` for the next one.
        #[pyo3(signature = (session, input, now_ms))]
        fn next_page(
            &self,
            py: Python<'_>,
            session: &PyRegistrySession,
            input: Option<&Bound<'_, PyAny>>,
            now_ms: u64,
        ) -> PyResult<PyEvent> {
            step(
                py,
                &self.0,
                session,
                input,
                now_ms,
                |op, session, input, now| op.next_page(session, input, now),
                |py, p| {
                    listing_page(py, p, None, |d| {
                        Ok(Bound::new(py, PyDescriptor(d))?.into_any())
                    })
                },
            )
        }
    }
);

/// Add `referrer` (a manifest's descriptor) to the referrers tag of `subject`, for
/// registries without the referrers API; done with the new index's digest, or `None` when it
/// was already listed.
#[pyclass(name = "AddReferrer", module = "ocikit", frozen)]
#[derive(Debug)]
pub(crate) struct PyAddReferrer(Mutex<AddReferrer>);

operation!(
    PyAddReferrer,
    |py, digest: Option<ocikit_core::Digest>| Ok(digest
        .map(|d| d.to_string())
        .into_pyobject(py)?
        .into_any()),
    {
        #[new]
        fn new(
            py: Python<'_>,
            session: &PyRegistrySession,
            reference: &Bound<'_, PyAny>,
            subject: &Bound<'_, PyAny>,
            referrer: PyRef<'_, PyDescriptor>,
        ) -> PyResult<Self> {
            let reference = reference_arg(py, reference)?;
            let subject = digest_arg(py, subject)?;
            let session = lock(py, &session.session);
            Ok(Self(Mutex::new(AddReferrer::new(
                &session,
                &reference,
                &subject,
                &referrer.0,
            ))))
        }
    }
);

/// The tag the referrers tag schema uses for `subject`: `<alg>-<encoded>`.
#[pyfunction]
pub(crate) fn referrers_tag(py: Python<'_>, subject: &Bound<'_, PyAny>) -> PyResult<String> {
    let subject = digest_arg(py, subject)?;
    Ok(ocikit_core::registry::operations::referrers_tag(&subject))
}

/// Registers the registry classes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRetryPolicy>()?;
    m.add_class::<PyLimits>()?;
    m.add_class::<PyFailure>()?;
    m.add_class::<PyPage>()?;
    m.add_class::<PyRegistrySession>()?;
    m.add_class::<PyRequest>()?;
    m.add_class::<PyResponse>()?;
    m.add_class::<PyEvent>()?;
    m.add_class::<PyFetchedManifest>()?;
    m.add_class::<PyResolved>()?;
    m.add_class::<PyGetManifest>()?;
    m.add_class::<PyPutManifest>()?;
    m.add_class::<PyBlobExists>()?;
    m.add_class::<PyPushBlob>()?;
    m.add_class::<PyGetBlob>()?;
    m.add_class::<PyResolveManifest>()?;
    m.add_class::<PyCheckAuth>()?;
    m.add_class::<PyDeleteManifest>()?;
    m.add_class::<PyListTags>()?;
    m.add_class::<PyDeleteBlob>()?;
    m.add_class::<PyListRepositories>()?;
    m.add_class::<PyListReferrers>()?;
    m.add_class::<PyAddReferrer>()?;
    m.add_function(wrap_pyfunction!(referrers_tag, m)?)?;
    Ok(())
}
