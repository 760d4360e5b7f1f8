//! # ocikit-wasm
//!
//! The JavaScript binding of [`ocikit_core`], compiled to WebAssembly with wasm-bindgen. This
//! crate only converts types: JS values in, core calls, JS values out. It is not used directly;
//! the npm package `ocikit` (hand-written ESM in `bindings-wasm/npm/`) wraps the generated
//! module into the public API.
//!
//! Conventions at the boundary:
//!
//! - Arguments arrive as `&JsValue` and are checked here, so a wrong JS type is a `TypeError`
//!   rather than a silently coerced value.
//! - A core [`Error`](ocikit_core::Error) is thrown as a plain object
//!   `{ code, message, details }` ([`error::to_js`]); the npm entry turns it into an `OciError`.
//! - Sizes cross as JS numbers and are range checked both ways ([`size`]): a number above
//!   `Number.MAX_SAFE_INTEGER` is never produced nor accepted, because it could not be exact.
//! - Values are plain objects; classes only hold state (`Digester`).
#![forbid(unsafe_code)]

pub mod digest;
pub mod error;
pub mod media_type;
pub mod size;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// A string argument, or a `TypeError` naming the parameter.
pub(crate) fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| type_error(&format!("{name} must be a string")))
}

/// An optional string argument: `undefined` and `null` mean absent.
pub(crate) fn optional_string_arg(value: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_arg(value, name).map(Some)
}

/// A `Uint8Array` argument (the npm entry has already turned other buffer views into one).
pub(crate) fn bytes_arg<'a>(value: &'a JsValue, name: &str) -> Result<&'a Uint8Array, JsValue> {
    value
        .dyn_ref::<Uint8Array>()
        .ok_or_else(|| type_error(&format!("{name} must be a Uint8Array")))
}

pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// Sets a property on an object this crate just created with `Object::new()`.
///
/// `Reflect.set` can only fail on frozen objects, proxies or setters, none of which a fresh
/// ordinary object has, so the result is not worth threading through every caller.
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// A JS string, or `null` for `None`.
pub(crate) fn string_or_null(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}
