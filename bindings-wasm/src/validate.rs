//! `validate`, and validation reports as plain objects.
//!
//! The npm entry validates through a buffer in wasm memory that it fills itself
//! (`validationBuffer`, then `validateBuffer`): text is encoded straight into it with
//! `TextEncoder.encodeInto` and bytes are copied once, with no buffer made per call; a document
//! with no finding comes back as the name of its kind alone, which the entry turns into
//! `{ valid: true, kind, findings: [] }`. Building that object here costs a crossing per property
//! (issue 12: JS `validate` against ajv).

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use ocikit_core::{Kind, Report};
use wasm_bindgen::prelude::*;

use crate::media_type::finding_to_js;

/// `validate(document, kind?)` → `{ valid, kind, findings }`. `document` is a string (validated
/// as its UTF-8 encoding) or a `Uint8Array`; `kind` is `"manifest"`, `"index"`,
/// `"descriptor"`, `"config"` or `"layout"`, absent to detect it. A bad `kind` is a
/// `TypeError`: it is a mistake in the calling code, not in the document.
#[wasm_bindgen]
pub fn validate(document: &JsValue, kind: &JsValue) -> Result<Object, JsValue> {
    let kind = kind_arg(kind)?;
    let report = if let Some(text) = document.as_string() {
        ocikit_core::validate(text.as_bytes(), kind)
    } else if let Some(bytes) = document.dyn_ref::<Uint8Array>() {
        ocikit_core::validate(&bytes.to_vec(), kind)
    } else {
        return Err(crate::type_error(
            "document must be a string or a Uint8Array",
        ));
    };
    Ok(report_to_js(&report))
}

thread_local! {
    /// The input buffer `validateBuffer` reads, filled by the npm entry through wasm memory. Its
    /// length is its capacity, all initialised (zeros at first), so JS writes into bytes Rust
    /// owns and reads as a plain slice: no unsafe code.
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };

    /// Each kind's name as a JS string, made once (see `REPORT_KEYS`).
    static KIND_NAMES: [JsValue; 5] = [
        Kind::Manifest,
        Kind::Index,
        Kind::Descriptor,
        Kind::Config,
        Kind::Layout,
    ]
    .map(|kind| JsValue::from_str(kind.as_str()));
}

/// `validationBuffer(size)` → the address in `wasmMemory()` of the input buffer, made at least
/// `size` bytes long; its length is `validationBufferSize()`. The address changes when the buffer
/// grows, and the memory's `ArrayBuffer` when the memory grows (a view of the old one is then
/// empty), so the entry asks again in either case.
#[wasm_bindgen(js_name = validationBuffer)]
pub fn validation_buffer(size: usize) -> usize {
    INPUT.with_borrow_mut(|input| {
        if input.len() < size {
            input.resize(size.next_power_of_two().max(4096), 0);
        }
        input.as_ptr() as usize
    })
}

/// The input buffer's length in bytes.
#[wasm_bindgen(js_name = validationBufferSize)]
pub fn validation_buffer_size() -> usize {
    INPUT.with_borrow(Vec::len)
}

/// The module's memory (a `WebAssembly.Memory`), for a view of the input buffer.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// `validateBuffer(length, kind?)`: validates the first `length` bytes of the input buffer as
/// `validate` does. A report with no finding is returned as its kind's name (a string); any
/// other as `{ valid, kind, findings }`. A `length` past the buffer is a `RangeError`.
#[wasm_bindgen(js_name = validateBuffer)]
pub fn validate_buffer(length: usize, kind: &JsValue) -> Result<JsValue, JsValue> {
    let kind = kind_arg(kind)?;
    let report = INPUT.with_borrow(|input| {
        input
            .get(..length)
            .map(|document| ocikit_core::validate(document, kind))
    });
    let Some(report) = report else {
        return Err(js_sys::RangeError::new("length is past the validation buffer").into());
    };
    match (report.findings.is_empty(), report.kind) {
        (true, Some(kind)) => Ok(KIND_NAMES.with(|names| names[kind_index(kind)].clone())),
        _ => Ok(report_to_js(&report).into()),
    }
}

fn kind_index(kind: Kind) -> usize {
    match kind {
        Kind::Manifest => 0,
        Kind::Index => 1,
        Kind::Descriptor => 2,
        Kind::Config => 3,
        Kind::Layout => 4,
    }
}

/// The `kind` argument: absent to detect it; an unknown name is a `TypeError`.
fn kind_arg(kind: &JsValue) -> Result<Option<Kind>, JsValue> {
    if kind.is_undefined() || kind.is_null() {
        return Ok(None);
    }
    let name = crate::optional_string_arg(kind, "kind")?.unwrap_or_default();
    Kind::parse(&name).map(Some).ok_or_else(|| {
        crate::type_error(r#"kind must be "manifest", "index", "descriptor", "config" or "layout""#)
    })
}

thread_local! {
    /// The report's property names, made once: each JS string made from Rust costs a crossing
    /// and a UTF-8 decode, a few per cent of `validate` on a small manifest.
    static REPORT_KEYS: [JsValue; 3] = ["valid", "kind", "findings"].map(JsValue::from_str);
}

/// A report as `{ valid, kind, findings }`; `kind` is `null` when it could not be told.
pub(crate) fn report_to_js(report: &Report) -> Object {
    let object = Object::new();
    let findings: Array = report.findings.iter().map(finding_to_js).collect();
    let kind = crate::string_or_null(report.kind.map(Kind::as_str));
    REPORT_KEYS.with(|[valid_key, kind_key, findings_key]| {
        let _ = Reflect::set(&object, valid_key, &report.valid.into());
        let _ = Reflect::set(&object, kind_key, &kind);
        let _ = Reflect::set(&object, findings_key, &findings);
    });
    object
}
