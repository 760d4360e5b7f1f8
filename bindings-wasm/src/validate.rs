//! `validate`, and validation reports as plain objects.

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
    let kind = match crate::optional_string_arg(kind, "kind")? {
        None => None,
        Some(name) => Some(Kind::parse(&name).ok_or_else(|| {
            crate::type_error(
                r#"kind must be "manifest", "index", "descriptor", "config" or "layout""#,
            )
        })?),
    };
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
