//! The registry engine ([`ocikit_core::registry`]): `RegistrySession`, and one
//! `RegistryOperation` class made by a factory function per core operation (`getManifest`,
//! `pushBlob`, …).
//!
//! The host loop is the core's, with plain objects for events and inputs:
//!
//! ```text
//! let input = { type: "start" };
//! for (;;) {
//!   const step = op.next(session, input, Date.now());
//!   if (step.type === "done") return step.value;
//!   if (step.type === "wait") { await sleep(step.ms); input = { type: "resume" }; continue; }
//!   input = { type: "response", ...(await send(step.request)) }; // never following redirects
//! }
//! ```
//!
//! A step is `{ type: "send", request }`, `{ type: "wait", ms }` or `{ type: "done", value }`;
//! a request is `{ method, url, headers: [[name, value], …], body, responseBody }` where `body`
//! is `null`, a `Uint8Array`, or `{ blob: { offset, length } }` (that part of the blob being
//! uploaded), and `responseBody` is `{ capture: max }` or `"stream"`. An input is
//! `{ type: "start" }`, `{ type: "resume" }`,
//! `{ type: "response", status, headers, body?, streamed?: { digest, size } }` or
//! `{ type: "failure", kind: "network" | "tls" | "timeout", message, received? }` (the
//! transport failed; for a cut download, `received` is how many bytes of the blob the host's
//! sink holds, from its first byte: the engine asks for the rest with `Range`).
//! Requests also carry `timeoutMs` (the stall timeout) and `deadlineMs` (absolute, or `null`)
//! for the host to enforce, and a streamed body's `responseBody` is `{ stream: max }`: read at
//! most `max + 1` bytes of it.

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::registry::session::{Credentials, Event, Input, Session};
use ocikit_core::registry::{
    AddReferrer, BlobExists, Body, CheckAuth, DeleteBlob, DeleteManifest, Failure, FailureKind,
    FetchedManifest, GetBlob, GetManifest, Limits, ListReferrers, ListRepositories, ListTags, Page,
    PushBlob, PushOptions, PutManifest, Request, ResolveManifest, Resolved, Response, ResponseBody,
    RetryPolicy,
};
use ocikit_core::{Descriptor, Digest, Error, MediaType, Reference};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{get, is_absent, options_arg, set, string_arg, type_error};

const SESSION_OPTIONS: &[&str] = &[
    "plainHttp",
    "credentials",
    "retry",
    "limits",
    "profile",
    "headers",
];
const LIMIT_OPTIONS: &[&str] = &[
    "stallTimeoutMs",
    "requestTimeoutMs",
    "deadlineMs",
    "retryAfterMaxMs",
    "listEntriesMax",
    "listBytesMax",
];
const RETRY_OPTIONS: &[&str] = &["maxRetries", "baseDelayMs", "maxDelayMs"];
const INPUT_KEYS: &[&str] = &[
    "type", "status", "headers", "body", "streamed", "kind", "message", "received",
];

/// `new RegistrySession(registry, { plainHttp?, credentials?, retry?, limits?, profile?,
/// headers? })`: a registry (`host[:port]`), the credentials for it, and the tokens it issues.
/// Operations borrow it for each step, so several operations share its tokens. `headers` (a
/// plain object of strings, or an array of `[name, value]` pairs) go with every request to the
/// registry's origin and to its token realm, never to another origin (the core's
/// `Session::with_headers`).
#[wasm_bindgen(js_name = RegistrySession)]
#[derive(Debug, Clone)]
pub struct JsRegistrySession(pub(crate) Session);

#[wasm_bindgen(js_class = RegistrySession)]
impl JsRegistrySession {
    /// A session with `registry` over HTTPS, or plain HTTP with `plainHttp: true`.
    #[wasm_bindgen(constructor)]
    pub fn new(registry: &JsValue, options: &JsValue) -> Result<JsRegistrySession, JsValue> {
        let registry = string_arg(registry, "registry")?;
        // The registry is half of a reference: the core's grammar checks it (a URL such as
        // "http://host" is the usual mistake, and would otherwise make every request URL bogus).
        if let Err(err) = Reference::new(&registry, "x", None, None) {
            return Err(thrown(match err {
                Error::ReferenceInvalid { reason, .. } => Error::ReferenceInvalid {
                    value: registry,
                    reason,
                },
                other => other,
            }));
        }
        let mut plain_http = false;
        let mut credentials = None;
        let mut retry = None;
        let mut limits = Limits::default();
        let mut profile = None;
        let mut headers = Vec::new();
        if !is_absent(options) {
            options_arg(options, "options", SESSION_OPTIONS)?;
            plain_http = bool_option(&get(options, "plainHttp")?, "plainHttp")?;
            credentials = credentials_arg(&get(options, "credentials")?)?;
            retry = retry_arg(&get(options, "retry")?)?;
            limits = limits_arg(&get(options, "limits")?)?;
            // The registry profile the engine adapts to (chunk sizes, monolithic uploads, `n`).
            let name = get(options, "profile")?;
            if !is_absent(&name) {
                let name = string_arg(&name, "profile")?;
                profile = Some(ocikit_core::profiles::Profile::by_name(&name).map_err(thrown)?);
            }
            headers = headers_arg(&get(options, "headers")?, "options.headers")?;
        }
        let mut session = Session::new(&registry, plain_http, credentials).with_limits(limits);
        if let Some(profile) = profile {
            session = session.with_profile(profile);
        }
        if !headers.is_empty() {
            session = session.with_headers(headers).map_err(thrown)?;
        }
        Ok(Self(match retry {
            Some(retry) => session.with_retry_policy(retry),
            None => session,
        }))
    }

    /// `scheme://host[:port]` of the registry.
    #[wasm_bindgen(getter)]
    pub fn base(&self) -> String {
        self.0.base().to_owned()
    }

    /// The limits every operation on this session keeps to, as a plain object
    /// (`{ stallTimeoutMs, requestTimeoutMs, deadlineMs, retryAfterMaxMs, listEntriesMax,
    /// listBytesMax }`).
    #[wasm_bindgen(getter)]
    pub fn limits(&self) -> Result<Object, JsValue> {
        let limits = self.0.limits();
        let object = Object::new();
        for (key, value) in LIMIT_OPTIONS.iter().zip([
            limits.stall_timeout_ms,
            limits.request_timeout_ms,
            limits.deadline_ms,
            limits.retry_after_max_ms,
            limits.list_entries_max,
            limits.list_bytes_max,
        ]) {
            set(&object, key, &crate::size::to_js(value)?.into());
        }
        Ok(object)
    }

    /// Whether the registry serves the referrers API: `true`, `false`, or `null` until known.
    #[wasm_bindgen(getter = referrersApi)]
    pub fn referrers_api(&self) -> JsValue {
        self.0.referrers_api().map_or(JsValue::NULL, JsValue::from)
    }

    /// Records whether the registry serves the referrers API (a browser that cannot see the
    /// registry's 404 for the API, for want of CORS headers, tells the session so).
    #[wasm_bindgen(js_name = setReferrersApi)]
    pub fn set_referrers_api(&mut self, supported: bool) {
        self.0.set_referrers_api(supported);
    }
}

fn bool_option(value: &JsValue, name: &str) -> Result<bool, JsValue> {
    if is_absent(value) {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| type_error(&format!("{name} must be a boolean")))
}

/// `{ username, password }`, `{ refreshToken }` or `{ accessToken }`.
fn credentials_arg(value: &JsValue) -> Result<Option<Credentials>, JsValue> {
    if is_absent(value) {
        return Ok(None);
    }
    const SHAPES: &str =
        "credentials must be { username, password }, { refreshToken } or { accessToken }";
    if !value.is_object() || Array::is_array(value) {
        return Err(type_error(SHAPES));
    }
    let keys: Vec<String> = Object::keys(value.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    let field = |key: &str| string_arg(&get(value, key)?, &format!("credentials.{key}"));
    let mut sorted: Vec<&str> = keys.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    match sorted.as_slice() {
        ["password", "username"] => Ok(Some(Credentials::Basic {
            username: field("username")?,
            password: field("password")?,
        })),
        ["refreshToken"] => Ok(Some(Credentials::RefreshToken(field("refreshToken")?))),
        ["accessToken"] => Ok(Some(Credentials::AccessToken(field("accessToken")?))),
        _ => Err(type_error(SHAPES)),
    }
}

/// `{ maxRetries?, baseDelayMs?, maxDelayMs? }` over the core's defaults.
fn retry_arg(value: &JsValue) -> Result<Option<RetryPolicy>, JsValue> {
    if is_absent(value) {
        return Ok(None);
    }
    options_arg(value, "retry", RETRY_OPTIONS)?;
    let mut policy = RetryPolicy::default();
    if let Some(n) = integer_option(&get(value, "maxRetries")?, "retry.maxRetries")? {
        policy.max_retries = u32::try_from(n)
            .map_err(|_| js_sys::RangeError::new("retry.maxRetries is too large"))?;
    }
    if let Some(ms) = integer_option(&get(value, "baseDelayMs")?, "retry.baseDelayMs")? {
        policy.base_delay_ms = ms;
    }
    if let Some(ms) = integer_option(&get(value, "maxDelayMs")?, "retry.maxDelayMs")? {
        policy.max_delay_ms = ms;
    }
    Ok(Some(policy))
}

/// `{ stallTimeoutMs?, requestTimeoutMs?, deadlineMs?, retryAfterMaxMs?, listEntriesMax?,
/// listBytesMax? }` over the core's defaults.
fn limits_arg(value: &JsValue) -> Result<Limits, JsValue> {
    let mut limits = Limits::default();
    if is_absent(value) {
        return Ok(limits);
    }
    options_arg(value, "limits", LIMIT_OPTIONS)?;
    for (key, field) in LIMIT_OPTIONS.iter().zip([
        &mut limits.stall_timeout_ms,
        &mut limits.request_timeout_ms,
        &mut limits.deadline_ms,
        &mut limits.retry_after_max_ms,
        &mut limits.list_entries_max,
        &mut limits.list_bytes_max,
    ]) {
        if let Some(n) = integer_option(&get(value, key)?, &format!("limits.{key}"))? {
            *field = n;
        }
    }
    Ok(limits)
}

/// A count or a time: absent, or a non-negative safe integer (`RangeError` otherwise).
fn integer_option(value: &JsValue, name: &str) -> Result<Option<u64>, JsValue> {
    if is_absent(value) {
        return Ok(None);
    }
    let number = value
        .as_f64()
        .ok_or_else(|| type_error(&format!("{name} must be a number")))?;
    crate::size::from_number(number).map(Some).ok_or_else(|| {
        js_sys::RangeError::new(&format!("{name} must be a non-negative safe integer")).into()
    })
}

fn reference_arg(value: &JsValue) -> Result<Reference, JsValue> {
    Reference::parse(&string_arg(value, "reference")?).map_err(thrown)
}

fn digest_arg(value: &JsValue, name: &str) -> Result<Digest, JsValue> {
    Digest::parse(&string_arg(value, name)?).map_err(thrown)
}

/// Each core operation, so that one JS class can drive any of them.
#[derive(Debug, Clone)]
enum Operation {
    GetManifest(Box<GetManifest>),
    PutManifest(Box<PutManifest>),
    BlobExists(Box<BlobExists>),
    PushBlob(Box<PushBlob>),
    GetBlob(Box<GetBlob>),
    Resolve(Box<ResolveManifest>),
    Delete(Box<DeleteManifest>),
    DeleteBlob(Box<DeleteBlob>),
    ListTags(Box<ListTags>),
    ListRepositories(Box<ListRepositories>),
    ListReferrers(Box<ListReferrers>),
    AddReferrer(Box<AddReferrer>),
    CheckAuth(Box<CheckAuth>),
}

/// A registry operation in progress, made by `getManifest`, `pushBlob`, … and driven with
/// `next(session, input, nowMs)` until it is done. Once done (or failed), it is finished.
#[wasm_bindgen(js_name = RegistryOperation)]
#[derive(Debug, Clone)]
pub struct JsRegistryOperation {
    operation: Option<Operation>,
    /// The newest upload URL of a blob push, kept past the end for a later resume.
    upload_url: String,
}

impl JsRegistryOperation {
    fn new(operation: Operation) -> Self {
        Self {
            operation: Some(operation),
            upload_url: String::new(),
        }
    }
}

#[wasm_bindgen(js_class = RegistryOperation)]
impl JsRegistryOperation {
    /// The next step: `{ type: "send", request }`, `{ type: "wait", ms }` or
    /// `{ type: "done", value }`. `now_ms` is the Unix time in milliseconds (`Date.now()`).
    pub fn next(
        &mut self,
        session: &mut JsRegistrySession,
        input: &JsValue,
        now_ms: &JsValue,
    ) -> Result<Object, JsValue> {
        let input = input_arg(input)?;
        let now =
            integer_option(now_ms, "nowMs")?.ok_or_else(|| type_error("nowMs must be a number"))?;
        let Some(operation) = self.operation.as_mut() else {
            return Err(thrown(Error::ProtocolState {
                reason: "this operation is finished; start a new one".into(),
            }));
        };
        let session = &mut session.0;
        let step = match operation {
            Operation::GetManifest(op) => op.next(session, input, now).map(|e| step(e, manifest)),
            Operation::PutManifest(op) => op.next(session, input, now).map(|e| {
                let processed = op.subject_processed();
                step(e, |digest| {
                    let put = Object::new();
                    set(&put, "digest", &digest.to_string().into());
                    set(&put, "subjectProcessed", &processed.into());
                    Ok(put.into())
                })
            }),
            Operation::BlobExists(op) => op.next(session, input, now).map(|e| {
                step(e, |size| {
                    size.map_or(Ok(JsValue::NULL), |s| crate::size::to_js(s).map(Into::into))
                })
            }),
            Operation::PushBlob(op) => {
                let event = op.next(session, input, now);
                self.upload_url = op.upload_url().to_owned();
                event.map(|e| step(e, |uploaded| Ok(uploaded.into())))
            }
            Operation::GetBlob(op) => op
                .next(session, input, now)
                .map(|e| step(e, |()| Ok(JsValue::NULL))),
            Operation::Resolve(op) => op.next(session, input, now).map(|e| step(e, resolved)),
            Operation::Delete(op) => op
                .next(session, input, now)
                .map(|e| step(e, |()| Ok(JsValue::NULL))),
            Operation::DeleteBlob(op) => op
                .next(session, input, now)
                .map(|e| step(e, |()| Ok(JsValue::NULL))),
            Operation::CheckAuth(op) => op
                .next(session, input, now)
                .map(|e| step(e, |()| Ok(JsValue::NULL))),
            Operation::ListTags(op) => op.next(session, input, now).map(|e| {
                step(e, |tags| {
                    Ok(tags
                        .iter()
                        .map(|t| JsValue::from_str(t))
                        .collect::<Array>()
                        .into())
                })
            }),
            Operation::ListRepositories(op) => op.next(session, input, now).map(|e| {
                step(e, |names| {
                    Ok(names
                        .iter()
                        .map(|n| JsValue::from_str(n))
                        .collect::<Array>()
                        .into())
                })
            }),
            Operation::ListReferrers(op) => op.next(session, input, now).map(|e| {
                step(e, |found| {
                    crate::manifest::descriptors_to_js(found).map(Into::into)
                })
            }),
            Operation::AddReferrer(op) => op.next(session, input, now).map(|e| {
                step(e, |index| {
                    Ok(crate::string_or_null(
                        index.map(|d| d.to_string()).as_deref(),
                    ))
                })
            }),
        };
        match step {
            Ok(Ok((object, done))) => {
                if done {
                    self.operation = None;
                }
                Ok(object)
            }
            // A result the binding cannot convert (a size beyond 2^53 − 1) ends the operation
            // as a core error would.
            Ok(Err(err)) => {
                self.operation = None;
                Err(err)
            }
            Err(err) => {
                self.operation = None;
                Err(thrown(err))
            }
        }
    }

    /// For `listTags` and `listReferrers`: the next step, done with each page,
    /// `{ type: "done", value: { items, last, next } }` (tags, or referrers' descriptors;
    /// `next`: the `last` that asks for the page after a page of names, else `null`). After a
    /// page that is not the last, call again with `{ type: "start" }`; the operation is
    /// finished after the last page. The listing's limits count every page.
    #[wasm_bindgen(js_name = nextPage)]
    pub fn next_page(
        &mut self,
        session: &mut JsRegistrySession,
        input: &JsValue,
        now_ms: &JsValue,
    ) -> Result<Object, JsValue> {
        let input = input_arg(input)?;
        let now =
            integer_option(now_ms, "nowMs")?.ok_or_else(|| type_error("nowMs must be a number"))?;
        let Some(operation) = self.operation.as_mut() else {
            return Err(thrown(Error::ProtocolState {
                reason: "this operation is finished; start a new one".into(),
            }));
        };
        let session = &mut session.0;
        let mut last = false;
        let step = match operation {
            Operation::ListTags(op) => op.next_page(session, input, now).map(|e| {
                step(e, |page: Page<String>| {
                    last = page.last;
                    name_page_to_js(&page)
                })
            }),
            Operation::ListRepositories(op) => op.next_page(session, input, now).map(|e| {
                step(e, |page: Page<String>| {
                    last = page.last;
                    name_page_to_js(&page)
                })
            }),
            Operation::ListReferrers(op) => op.next_page(session, input, now).map(|e| {
                step(e, |page: Page<Descriptor>| {
                    last = page.last;
                    let items = crate::manifest::descriptors_to_js(page.items)?;
                    page_to_js(items, page.last, None)
                })
            }),
            _ => {
                return Err(type_error(
                    "nextPage is for listTags, listRepositories and listReferrers",
                ));
            }
        };
        match step {
            Ok(Ok((object, done))) => {
                if done && last {
                    self.operation = None;
                }
                Ok(object)
            }
            Ok(Err(err)) => {
                self.operation = None;
                Err(err)
            }
            Err(err) => {
                self.operation = None;
                Err(thrown(err))
            }
        }
    }

    /// For `pushBlob` and `resumeBlobPush`: the newest upload URL the registry gave (to resume
    /// an interrupted upload with `resumeBlobPush`), or `null` before the upload started and
    /// for other operations.
    #[wasm_bindgen(getter, js_name = uploadUrl)]
    pub fn upload_url(&self) -> JsValue {
        crate::string_or_null(Some(self.upload_url.as_str()).filter(|u| !u.is_empty()))
    }

    /// Whether the operation is over (done or failed).
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.operation.is_none()
    }
}

/// A step as a plain object, and whether it is the last. Only the outcome's conversion is
/// generic; the object is made by [`event_js`], whose code exists once in the module.
fn step<T>(
    event: Event<T>,
    done: impl FnOnce(T) -> Result<JsValue, JsValue>,
) -> Result<(Object, bool), JsValue> {
    event_js(match event {
        Event::Send(request) => Event::Send(request),
        Event::Wait(ms) => Event::Wait(ms),
        Event::Done(value) => Event::Done(done(value)?),
    })
}

#[inline(never)]
fn event_js(event: Event<JsValue>) -> Result<(Object, bool), JsValue> {
    let object = Object::new();
    let last = match event {
        Event::Send(request) => {
            set(&object, "type", &"send".into());
            set(&object, "request", &request_to_js(request)?.into());
            false
        }
        Event::Wait(ms) => {
            set(&object, "type", &"wait".into());
            set(&object, "ms", &crate::size::to_js(ms)?.into());
            false
        }
        Event::Done(value) => {
            set(&object, "type", &"done".into());
            set(&object, "value", &value);
            true
        }
    };
    Ok((object, last))
}

/// `{ items, last, next }`: `next` is the core's `Page::next` for a page of names (the `last`
/// that asks for the page after it), `null` after the last page and for referrers.
fn page_to_js(items: Array, last: bool, next: Option<&str>) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "items", &items.into());
    set(&object, "last", &last.into());
    set(
        &object,
        "next",
        &next.map_or(JsValue::NULL, JsValue::from_str),
    );
    Ok(object.into())
}

fn name_page_to_js(page: &Page<String>) -> Result<JsValue, JsValue> {
    let items = page
        .items
        .iter()
        .map(|name| JsValue::from_str(name))
        .collect();
    page_to_js(items, page.last, page.next())
}

fn manifest(fetched: FetchedManifest) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "mediaType", &fetched.media_type.into());
    set(&object, "digest", &fetched.digest.to_string().into());
    set(
        &object,
        "bytes",
        &Uint8Array::from(fetched.bytes.as_slice()).into(),
    );
    Ok(object.into())
}

fn resolved(resolved: Resolved) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "mediaType", &resolved.media_type.into());
    set(&object, "digest", &resolved.digest.to_string().into());
    set(&object, "size", &crate::size::to_js(resolved.size)?.into());
    Ok(object.into())
}

pub(crate) fn request_to_js(request: Request) -> Result<Object, JsValue> {
    let object = Object::new();
    set(&object, "method", &request.method.as_str().into());
    set(&object, "url", &request.url.into());
    let headers: Array = request
        .headers
        .into_iter()
        .map(|(name, value)| {
            JsValue::from(Array::of2(
                &JsValue::from_str(&name),
                &JsValue::from_str(&value),
            ))
        })
        .collect();
    set(&object, "headers", &headers.into());
    let body = match request.body {
        Body::Empty => JsValue::NULL,
        Body::Bytes(bytes) => Uint8Array::from(bytes.as_slice()).into(),
        Body::Blob { offset, length } => {
            let range = Object::new();
            set(&range, "offset", &crate::size::to_js(offset)?.into());
            set(&range, "length", &crate::size::to_js(length)?.into());
            let blob = Object::new();
            set(&blob, "blob", &range.into());
            blob.into()
        }
    };
    set(&object, "body", &body);
    let response_body = match request.response_body {
        ResponseBody::Capture { max } => {
            let capture = Object::new();
            set(&capture, "capture", &crate::size::to_js(max)?.into());
            capture.into()
        }
        ResponseBody::Stream { max } => {
            let stream = Object::new();
            set(&stream, "stream", &crate::size::to_js(max)?.into());
            stream.into()
        }
    };
    set(&object, "responseBody", &response_body);
    set(
        &object,
        "timeoutMs",
        &crate::size::to_js(request.timeout_ms)?.into(),
    );
    let deadline = match request.deadline_ms {
        Some(ms) => crate::size::to_js(ms)?.into(),
        None => JsValue::NULL,
    };
    set(&object, "deadlineMs", &deadline);
    Ok(object)
}

pub(crate) fn input_arg(value: &JsValue) -> Result<Input, JsValue> {
    options_arg(value, "input", INPUT_KEYS)?;
    let kind = get(value, "type")?.as_string();
    match kind.as_deref() {
        Some("start") => Ok(Input::Start),
        Some("resume") => Ok(Input::Resume),
        Some("response") => response_arg(value).map(Input::Response),
        Some("failure") => {
            let kind = get(value, "kind")?.as_string();
            let kind = kind
                .as_deref()
                .and_then(FailureKind::parse)
                .ok_or_else(|| {
                    type_error(r#"input.kind must be "network", "tls", "timeout" or "blocked""#)
                })?;
            let message = string_arg(&get(value, "message")?, "input.message")?;
            let received =
                crate::size::optional_from_js(&get(value, "received")?, "input.received")?;
            Ok(Input::Failure(Failure {
                kind,
                message,
                received,
            }))
        }
        _ => Err(type_error(
            r#"input.type must be "start", "response", "failure" or "resume""#,
        )),
    }
}

fn response_arg(value: &JsValue) -> Result<Response, JsValue> {
    let status = get(value, "status")?;
    let status = status
        .as_f64()
        .filter(|s| s.fract() == 0.0 && (0.0..=999.0).contains(s))
        .ok_or_else(|| type_error("input.status must be an HTTP status code (an integer)"))?;
    let body = get(value, "body")?;
    let body = if is_absent(&body) {
        Vec::new()
    } else {
        crate::bytes_arg(&body, "input.body")?.to_vec()
    };
    let streamed = get(value, "streamed")?;
    let streamed = if is_absent(&streamed) {
        None
    } else {
        options_arg(&streamed, "input.streamed", &["digest", "size"])?;
        let digest = digest_arg(&get(&streamed, "digest")?, "input.streamed.digest")?;
        let size = crate::size::optional_from_js(&get(&streamed, "size")?, "input.streamed.size")?
            .ok_or_else(|| type_error("input.streamed.size must be a number"))?;
        Some((digest, size))
    };
    Ok(Response {
        // The cast is exact: an integer from 0 to 999.
        status: status as u16,
        headers: headers_arg(&get(value, "headers")?, "input.headers")?,
        body,
        streamed,
    })
}

/// Headers as `[[name, value], …]` (what `[...response.headers]` gives) or a plain object of
/// strings; absent means none. `name` is the argument's, for the error.
fn headers_arg(value: &JsValue, name: &str) -> Result<Vec<(String, String)>, JsValue> {
    let shapes = || {
        type_error(&format!(
            "{name} must be an array of [name, value] string pairs or an object of strings"
        ))
    };
    if is_absent(value) {
        return Ok(Vec::new());
    }
    let pair = |name: JsValue, value: JsValue| match (name.as_string(), value.as_string()) {
        (Some(name), Some(value)) => Ok((name, value)),
        _ => Err(shapes()),
    };
    if let Some(list) = value.dyn_ref::<Array>() {
        return list
            .iter()
            .map(|entry| {
                let entry = entry
                    .dyn_into::<Array>()
                    .ok()
                    .filter(|e| e.length() == 2)
                    .ok_or_else(shapes)?;
                pair(entry.get(0), entry.get(1))
            })
            .collect();
    }
    if !value.is_object() || value.is_function() || value.is_instance_of::<js_sys::Map>() {
        return Err(shapes());
    }
    Object::entries(value.unchecked_ref::<Object>())
        .iter()
        .map(|entry| {
            let entry: Array = entry.unchecked_into();
            pair(entry.get(0), entry.get(1))
        })
        .collect()
}

/// `getManifest(session, reference, { maxSize? })`: done with `{ mediaType, digest, bytes }`.
#[wasm_bindgen(js_name = getManifest)]
pub fn get_manifest(
    session: &JsRegistrySession,
    reference: &JsValue,
    options: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let mut max = None;
    if !is_absent(options) {
        options_arg(options, "options", &["maxSize"])?;
        max = crate::size::optional_from_js(&get(options, "maxSize")?, "maxSize")?;
    }
    let op = match max {
        Some(max) => GetManifest::with_limit(&session.0, &reference, max),
        None => GetManifest::new(&session.0, &reference),
    };
    Ok(JsRegistryOperation::new(Operation::GetManifest(Box::new(
        op,
    ))))
}

/// `putManifest(session, reference, mediaType, bytes)`: done with
/// `{ digest, subjectProcessed }`.
#[wasm_bindgen(js_name = putManifest)]
pub fn put_manifest(
    session: &JsRegistrySession,
    reference: &JsValue,
    media_type: &JsValue,
    bytes: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let media_type = MediaType::parse(&string_arg(media_type, "mediaType")?).map_err(thrown)?;
    let bytes = crate::bytes_arg(bytes, "bytes")?.to_vec();
    Ok(JsRegistryOperation::new(Operation::PutManifest(Box::new(
        PutManifest::new(&session.0, &reference, &media_type, bytes),
    ))))
}

/// `blobExists(session, reference, digest)`: done with the blob's size, or `null`.
#[wasm_bindgen(js_name = blobExists)]
pub fn blob_exists(
    session: &JsRegistrySession,
    reference: &JsValue,
    digest: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let digest = digest_arg(digest, "digest")?;
    Ok(JsRegistryOperation::new(Operation::BlobExists(Box::new(
        BlobExists::new(&session.0, &reference, &digest),
    ))))
}

/// `pushBlob(session, reference, descriptor, { mountFrom?, chunkSize? })`: done with `true`
/// when uploaded or mounted, `false` when the repository had the blob. `descriptor` arrives as
/// JSON text.
#[wasm_bindgen(js_name = pushBlob)]
pub fn push_blob(
    session: &JsRegistrySession,
    reference: &JsValue,
    descriptor: &JsValue,
    options: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let descriptor = crate::descriptor_arg(descriptor, "descriptor", "")?;
    let mut push = PushOptions::default();
    if !is_absent(options) {
        options_arg(options, "options", &["mountFrom", "chunkSize"])?;
        push.mount_from = crate::optional_string_arg(&get(options, "mountFrom")?, "mountFrom")?;
        push.chunk_size = chunk_size_arg(&get(options, "chunkSize")?)?;
    }
    Ok(JsRegistryOperation::new(Operation::PushBlob(Box::new(
        PushBlob::with_options(&session.0, &reference, &descriptor, push),
    ))))
}

/// A chunk size: absent, or a positive safe integer.
fn chunk_size_arg(value: &JsValue) -> Result<Option<u64>, JsValue> {
    match integer_option(value, "chunkSize")? {
        Some(0) => Err(js_sys::RangeError::new("chunkSize must be a positive integer").into()),
        size => Ok(size),
    }
}

/// `resumeBlobPush(session, reference, descriptor, uploadUrl, chunkSize)`: continues an
/// interrupted upload from what the registry has; done as `pushBlob`.
#[wasm_bindgen(js_name = resumeBlobPush)]
pub fn resume_blob_push(
    session: &JsRegistrySession,
    reference: &JsValue,
    descriptor: &JsValue,
    upload_url: &JsValue,
    chunk_size: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let descriptor = crate::descriptor_arg(descriptor, "descriptor", "")?;
    let upload_url = string_arg(upload_url, "uploadUrl")?;
    let chunk_size =
        chunk_size_arg(chunk_size)?.ok_or_else(|| type_error("chunkSize must be a number"))?;
    let mut operation = JsRegistryOperation::new(Operation::PushBlob(Box::new(PushBlob::resume(
        &session.0,
        &reference,
        &descriptor,
        &upload_url,
        chunk_size,
    ))));
    operation.upload_url = upload_url;
    Ok(operation)
}

/// `getBlob(session, reference, descriptor, { have? })`: the host streams the body, hashing
/// it, and reports `streamed: { digest, size }`; done with `null` once verified.
#[wasm_bindgen(js_name = getBlob)]
pub fn get_blob(
    session: &JsRegistrySession,
    reference: &JsValue,
    descriptor: &JsValue,
    options: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let descriptor = crate::descriptor_arg(descriptor, "descriptor", "")?;
    let mut have = 0;
    if !is_absent(options) {
        options_arg(options, "options", &["have"])?;
        have = crate::size::optional_from_js(&get(options, "have")?, "have")?.unwrap_or_default();
    }
    Ok(JsRegistryOperation::new(Operation::GetBlob(Box::new(
        GetBlob::resume(&session.0, &reference, &descriptor, have),
    ))))
}

/// `resolveManifest(session, reference)`: done with `{ mediaType, digest, size }`.
#[wasm_bindgen(js_name = resolveManifest)]
pub fn resolve_manifest(
    session: &JsRegistrySession,
    reference: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    Ok(JsRegistryOperation::new(Operation::Resolve(Box::new(
        ResolveManifest::new(&session.0, &reference),
    ))))
}

/// `checkAuth(session)`: `GET /v2/` with the session's credentials, as `docker login` checks
/// them; done with `null`, or an `UNAUTHORIZED` error.
#[wasm_bindgen(js_name = checkAuth)]
pub fn check_auth(session: &JsRegistrySession) -> JsRegistryOperation {
    JsRegistryOperation::new(Operation::CheckAuth(Box::new(CheckAuth::new(&session.0))))
}

/// `deleteManifest(session, reference, digest)`: done with `null`.
#[wasm_bindgen(js_name = deleteManifest)]
pub fn delete_manifest(
    session: &JsRegistrySession,
    reference: &JsValue,
    digest: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let digest = digest_arg(digest, "digest")?;
    Ok(JsRegistryOperation::new(Operation::Delete(Box::new(
        DeleteManifest::new(&session.0, &reference, &digest),
    ))))
}

/// `deleteBlob(session, reference, digest)`: DELETE the blob `digest` in `reference`'s
/// repository (`oras blob delete`); done with `null`.
#[wasm_bindgen(js_name = deleteBlob)]
pub fn delete_blob(
    session: &JsRegistrySession,
    reference: &JsValue,
    digest: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let digest = digest_arg(digest, "digest")?;
    Ok(JsRegistryOperation::new(Operation::DeleteBlob(Box::new(
        DeleteBlob::new(&session.0, &reference, &digest),
    ))))
}

/// `listRepositories(session, { pageSize? })`: the registry's catalog (`oras repo ls`), done
/// with every repository's name, or page by page with `nextPage`; within the session's listing
/// limits.
#[wasm_bindgen(js_name = listRepositories)]
pub fn list_repositories(
    session: &JsRegistrySession,
    options: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let mut page_size = None;
    if !is_absent(options) {
        options_arg(options, "options", &["pageSize"])?;
        page_size =
            match integer_option(&get(options, "pageSize")?, "pageSize")? {
                Some(n) => Some(u32::try_from(n).ok().filter(|&n| n > 0).ok_or_else(|| {
                    js_sys::RangeError::new("pageSize must be from 1 to 2^32 − 1")
                })?),
                None => None,
            };
    }
    Ok(JsRegistryOperation::new(Operation::ListRepositories(
        Box::new(ListRepositories::new(&session.0, page_size)),
    )))
}

/// `listTags(session, reference, { pageSize?, last? })`: done with every tag (after `last`, a
/// tag, when given).
#[wasm_bindgen(js_name = listTags)]
pub fn list_tags(
    session: &JsRegistrySession,
    reference: &JsValue,
    options: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let mut page_size = None;
    let mut last = None;
    if !is_absent(options) {
        options_arg(options, "options", &["pageSize", "last"])?;
        let value = get(options, "last")?;
        if !is_absent(&value) {
            last = Some(crate::string_arg(&value, "last")?);
        }
        page_size =
            match integer_option(&get(options, "pageSize")?, "pageSize")? {
                Some(n) => Some(u32::try_from(n).ok().filter(|&n| n > 0).ok_or_else(|| {
                    js_sys::RangeError::new("pageSize must be from 1 to 2^32 − 1")
                })?),
                None => None,
            };
    }
    let op = match last {
        Some(last) => ListTags::after(&session.0, &reference, page_size, &last).map_err(thrown)?,
        None => ListTags::new(&session.0, &reference, page_size),
    };
    Ok(JsRegistryOperation::new(Operation::ListTags(Box::new(op))))
}

/// `listReferrers(session, reference, subject, { artifactType? })`: done with the referrers'
/// descriptors.
#[wasm_bindgen(js_name = listReferrers)]
pub fn list_referrers(
    session: &JsRegistrySession,
    reference: &JsValue,
    subject: &JsValue,
    options: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let subject = digest_arg(subject, "subject")?;
    let mut artifact_type = None;
    if !is_absent(options) {
        options_arg(options, "options", &["artifactType"])?;
        artifact_type = crate::media_type_arg(&get(options, "artifactType")?, "artifactType")?;
    }
    Ok(JsRegistryOperation::new(Operation::ListReferrers(
        Box::new(ListReferrers::new(
            &session.0,
            &reference,
            &subject,
            artifact_type.as_ref().map(MediaType::as_str),
        )),
    )))
}

/// `addReferrer(session, reference, subject, referrer)`: adds the `referrer` descriptor (JSON
/// text) to the referrers tag of `subject`; done with the new index's digest, or `null` when it
/// was already listed.
#[wasm_bindgen(js_name = addReferrer)]
pub fn add_referrer(
    session: &JsRegistrySession,
    reference: &JsValue,
    subject: &JsValue,
    referrer: &JsValue,
) -> Result<JsRegistryOperation, JsValue> {
    let reference = reference_arg(reference)?;
    let subject = digest_arg(subject, "subject")?;
    let referrer: Descriptor = crate::descriptor_arg(referrer, "referrer", "")?;
    Ok(JsRegistryOperation::new(Operation::AddReferrer(Box::new(
        AddReferrer::new(&session.0, &reference, &subject, &referrer),
    ))))
}
