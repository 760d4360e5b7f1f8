//! `LayoutServer`, `LayoutExchange`, `layoutHost` and `isLayoutHost`: a layout answering the
//! registry engine's requests, step by step (`ocikit_core::layout::LayoutServer`). The JS host
//! carries the file steps out on the layout (a tar in memory, a directory) and hands the
//! answer to the operation as a response; the core decides everything else.

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::Digest;
use ocikit_core::layout::{self, LayoutExchange as CoreExchange, LayoutInput, LayoutStep};
use ocikit_core::registry::{Body, Method, Request, ResponseBody};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{get, is_absent, set, string_arg, type_error};

/// One layout served as a registry: `index.json` in memory once read (at most `indexMax`
/// bytes, 4 MiB by default; `LIMIT_EXCEEDED` past), what the referrers API learnt, the open
/// uploads. JS runs one step at a time, so the exchanges of one server never lose an update
/// of `index.json`.
#[wasm_bindgen(js_name = LayoutServer)]
#[derive(Debug)]
pub struct LayoutServer(layout::LayoutServer);

#[wasm_bindgen(js_class = LayoutServer)]
impl LayoutServer {
    /// `new LayoutServer(indexMax?)`.
    #[wasm_bindgen(constructor)]
    pub fn new(index_max: JsValue) -> Result<LayoutServer, JsValue> {
        let max = crate::size::optional_from_js(&index_max, "indexMax")?
            .unwrap_or(layout::server::INDEX_MAX);
        Ok(Self(layout::LayoutServer::with_index_max(max)))
    }

    /// Forgets `index.json` (read again by the next exchange that needs it).
    pub fn reload(&mut self) {
        self.0.reload();
    }

    /// The exchange that answers `request` (an engine request for this layout's host, as
    /// `poll()` handed it out).
    pub fn exchange(&self, request: &JsValue) -> Result<LayoutExchange, JsValue> {
        Ok(LayoutExchange(CoreExchange::new(&request_arg(request)?)))
    }
}

/// The answer to one request: `start(server)`, then after each step the method that reports
/// its result (`read`, `stat`, `written`, `received`), until a step of kind `"respond"`. Each
/// returns the next step; a failure throws the coded `OciError`.
#[wasm_bindgen(js_name = LayoutExchange)]
#[derive(Debug)]
pub struct LayoutExchange(CoreExchange);

#[wasm_bindgen(js_class = LayoutExchange)]
impl LayoutExchange {
    fn step(&mut self, server: &mut LayoutServer, input: LayoutInput) -> Result<Object, JsValue> {
        step_to_js(self.0.next(&mut server.0, input).map_err(thrown)?)
    }

    /// The first step.
    pub fn start(&mut self, server: &mut LayoutServer) -> Result<Object, JsValue> {
        self.step(server, LayoutInput::Start)
    }

    /// After a `"read"` step: the bytes (at most `max + 1`), or `null` when absent.
    pub fn read(&mut self, server: &mut LayoutServer, data: &JsValue) -> Result<Object, JsValue> {
        let bytes = if is_absent(data) {
            None
        } else {
            Some(crate::bytes_arg(data, "data")?.to_vec())
        };
        self.step(server, LayoutInput::Read(bytes))
    }

    /// After a `"stat"` step: the size, or `null` when absent.
    pub fn stat(&mut self, server: &mut LayoutServer, size: &JsValue) -> Result<Object, JsValue> {
        let size = crate::size::optional_from_js(size, "size")?;
        self.step(server, LayoutInput::Stat(size))
    }

    /// After a `"write"` or `"remove"` step.
    pub fn written(&mut self, server: &mut LayoutServer) -> Result<Object, JsValue> {
        self.step(server, LayoutInput::Written)
    }

    /// After a `"receive"` step: the digest and size of the body received.
    pub fn received(
        &mut self,
        server: &mut LayoutServer,
        digest: &JsValue,
        size: &JsValue,
    ) -> Result<Object, JsValue> {
        let digest = Digest::parse(&string_arg(digest, "digest")?).map_err(thrown)?;
        let size = crate::size::optional_from_js(size, "size")?
            .ok_or_else(|| type_error("size must be a number"))?;
        self.step(server, LayoutInput::Received { digest, size })
    }
}

/// `layoutHost(id)`: the pseudo registry host of the layout numbered `id`,
/// `layout-<id>.oci-layout.invalid`.
#[wasm_bindgen(js_name = layoutHost)]
pub fn layout_host(id: &JsValue) -> Result<String, JsValue> {
    let id = crate::size::optional_from_js(id, "id")?
        .ok_or_else(|| type_error("id must be a number"))?;
    Ok(layout::layout_host(id))
}

/// `isLayoutHost(registry)`: whether `host[:port]` is a layout's pseudo host.
#[wasm_bindgen(js_name = isLayoutHost)]
pub fn is_layout_host(registry: &str) -> bool {
    layout::is_layout_host(registry)
}

fn step_to_js(step: LayoutStep) -> Result<Object, JsValue> {
    let object = Object::new();
    let kind = match &step {
        LayoutStep::Read { .. } => "read",
        LayoutStep::Stat { .. } => "stat",
        LayoutStep::Write { .. } => "write",
        LayoutStep::Receive { .. } => "receive",
        LayoutStep::Remove { .. } => "remove",
        LayoutStep::Respond { .. } => "respond",
    };
    set(&object, "kind", &kind.into());
    match step {
        LayoutStep::Read { path, max } => {
            set(&object, "path", &path.into());
            set(&object, "max", &crate::size::to_js(max)?.into());
        }
        LayoutStep::Stat { path } | LayoutStep::Remove { path } => {
            set(&object, "path", &path.into());
        }
        LayoutStep::Write { path, bytes } => {
            set(&object, "path", &path.into());
            set(&object, "data", &Uint8Array::from(bytes.as_slice()).into());
        }
        LayoutStep::Receive { path, digest, size } => {
            set(&object, "path", &path.into());
            set(&object, "digest", &digest.to_string().into());
            set(&object, "size", &crate::size::to_js(size)?.into());
        }
        LayoutStep::Respond { response, file } => {
            // The shape `provide()` takes: `{ type: "response", status, headers, body }`.
            let answer = Object::new();
            set(&answer, "type", &"response".into());
            set(&answer, "status", &response.status.into());
            let headers: Array = response
                .headers
                .iter()
                .map(|(n, v)| JsValue::from(Array::of2(&n.into(), &v.into())))
                .collect();
            set(&answer, "headers", &headers.into());
            set(
                &answer,
                "body",
                &Uint8Array::from(response.body.as_slice()).into(),
            );
            set(&object, "response", &answer.into());
            let file = match file {
                None => JsValue::NULL,
                Some(file) => {
                    let served = Object::new();
                    set(&served, "path", &file.path.into());
                    set(&served, "offset", &crate::size::to_js(file.offset)?.into());
                    set(&served, "length", &crate::size::to_js(file.length)?.into());
                    served.into()
                }
            };
            set(&object, "file", &file);
        }
    }
    Ok(object)
}

/// An engine request as `poll()` hands it out (`{ method, url, headers, body, responseBody }`).
fn request_arg(value: &JsValue) -> Result<Request, JsValue> {
    if !value.is_object() {
        return Err(type_error("request must be an engine request object"));
    }
    let method = match string_arg(&get(value, "method")?, "request.method")?.as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => {
            return Err(type_error(
                "request.method must be an HTTP method the engine uses",
            ));
        }
    };
    let url = string_arg(&get(value, "url")?, "request.url")?;
    let mut headers = Vec::new();
    let listed = get(value, "headers")?;
    if !is_absent(&listed) {
        let listed = listed
            .dyn_into::<Array>()
            .map_err(|_| type_error("request.headers must be an array of [name, value]"))?;
        for pair in listed.iter() {
            let pair = pair
                .dyn_into::<Array>()
                .ok()
                .filter(|p| p.length() == 2)
                .ok_or_else(|| type_error("request.headers must be [name, value] pairs"))?;
            headers.push((
                string_arg(&pair.get(0), "a header name")?,
                string_arg(&pair.get(1), "a header value")?,
            ));
        }
    }
    let body = get(value, "body")?;
    let body = if is_absent(&body) {
        Body::Empty
    } else if let Some(bytes) = body.dyn_ref::<Uint8Array>() {
        Body::Bytes(bytes.to_vec())
    } else {
        let blob = get(&body, "blob")?;
        let offset = crate::size::optional_from_js(&get(&blob, "offset")?, "body.blob.offset")?;
        let length = crate::size::optional_from_js(&get(&blob, "length")?, "body.blob.length")?;
        match (offset, length) {
            (Some(offset), Some(length)) => Body::Blob { offset, length },
            _ => {
                return Err(type_error(
                    "request.body must be null, a Uint8Array or { blob: { offset, length } }",
                ));
            }
        }
    };
    let shape = get(value, "responseBody")?;
    let response_body = if is_absent(&shape) {
        ResponseBody::Capture {
            max: ocikit_core::registry::http::ERROR_BODY_MAX,
        }
    } else if let Some(max) =
        crate::size::optional_from_js(&get(&shape, "stream")?, "responseBody.stream")?
    {
        ResponseBody::Stream { max }
    } else {
        let max = crate::size::optional_from_js(&get(&shape, "capture")?, "responseBody.capture")?
            .unwrap_or(ocikit_core::registry::http::ERROR_BODY_MAX);
        ResponseBody::Capture { max }
    };
    Ok(Request {
        method,
        url,
        headers,
        body,
        response_body,
        timeout_ms: 0,
        deadline_ms: None,
    })
}
