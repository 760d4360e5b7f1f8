//! Core errors as JS values.
//!
//! A core [`Error`] is thrown across the boundary as a plain object
//! `{ code, message, details }`; the npm entry's one conversion function turns it into an
//! `OciError` (`.code`, `.details`, `.message`). Keeping the class in JS means the thrown error
//! is `instanceof` the very `OciError` the package exports.

use js_sys::Object;
use ocikit_core::{Detail, Error};
use wasm_bindgen::prelude::*;

/// The thrown form of a core error.
pub(crate) fn to_js(err: &Error) -> JsValue {
    let details = Object::new();
    for (key, detail) in err.details() {
        let value = match detail {
            Detail::Text(text) => JsValue::from_str(&text),
            // A detail must not fail while an error is being reported: a size beyond
            // Number.MAX_SAFE_INTEGER becomes an exact BigInt instead of a RangeError.
            Detail::Size(size) => crate::size::to_number(size)
                .map_or_else(|| js_sys::BigInt::from(size).into(), JsValue::from_f64),
        };
        crate::set(&details, key, &value);
    }
    let thrown = Object::new();
    crate::set(&thrown, "code", &JsValue::from_str(err.code()));
    crate::set(&thrown, "message", &JsValue::from_str(&err.to_string()));
    crate::set(&thrown, "details", &details);
    thrown.into()
}

/// `map_err` adapter for core results.
pub(crate) fn thrown(err: Error) -> JsValue {
    to_js(&err)
}
