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
//!   `{ code, message, details }` (`error::to_js`); the npm entry turns it into an `OciError`.
//! - Sizes cross as JS numbers and are range checked both ways ([`size`]): a number above
//!   `Number.MAX_SAFE_INTEGER` is never produced nor accepted, because it could not be exact.
//! - Values are plain objects; classes only hold state (`Digester`, `RegistrySession`,
//!   `RegistryOperation`).
//! - Documents (manifests, indexes, descriptors, artifact type definitions) cross as JSON text:
//!   the npm entry serializes a JS object with `JSON.stringify` (refusing numbers it could not
//!   write exactly), the core reads it with its strict parser and types, and objects handed
//!   back are the core's canonical JSON read with `JSON.parse` ([`manifest`]). Every byte that
//!   is hashed comes from the core or from the caller, never from a JS serializer.
//!
//! Two modules are built from this crate (`scripts/build-wasm.sh`): the full one, and with
//! `--no-default-features` the lite one behind `ocikit/lite`, which leaves out the `registry`
//! feature's modules (the registry engine and its operations, layouts, directory packing, graph
//! walks, collections). Every function the lite module has is the same code in the full one.
#![forbid(unsafe_code)]

#[cfg(feature = "registry")]
pub mod archive;
pub mod artifact_type;
#[cfg(feature = "registry")]
pub mod collection;
pub mod digest;
pub mod error;
#[cfg(feature = "registry")]
pub mod layout;
#[cfg(feature = "registry")]
pub mod layout_server;
pub mod manifest;
pub mod media_type;
#[cfg(feature = "registry")]
pub mod operation;
pub mod pack;
pub mod profiles;
pub mod reference;
#[cfg(feature = "registry")]
pub mod registry;
pub mod size;
pub mod validate;
#[cfg(feature = "registry")]
pub mod walk;

use js_sys::{Array, Object, Reflect, Uint8Array};
use ocikit_core::annotations::Annotations;
use ocikit_core::{Descriptor, MediaType};
use wasm_bindgen::prelude::*;

use crate::error::thrown;

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

/// A property of an argument object. A throwing getter's error passes through unchanged.
pub(crate) fn get(object: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(object, &JsValue::from_str(key))
}

/// Whether `value` is absent: `undefined` or `null`.
pub(crate) fn is_absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// An options object: a non-null, non-array object whose own keys are all in `allowed`. A
/// misspelt option is a `TypeError` rather than silently ignored.
pub(crate) fn options_arg(value: &JsValue, name: &str, allowed: &[&str]) -> Result<(), JsValue> {
    if !value.is_object() || Array::is_array(value) || value.is_function() {
        return Err(type_error(&format!("{name} must be an object")));
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(type_error(&format!(
                "{name} has no option {key:?} (expected {})",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// An array argument; `undefined` and `null` mean an empty one.
pub(crate) fn array_arg(value: &JsValue, name: &str) -> Result<Array, JsValue> {
    if is_absent(value) {
        return Ok(Array::new());
    }
    value
        .dyn_ref::<Array>()
        .cloned()
        .ok_or_else(|| type_error(&format!("{name} must be an array")))
}

/// An array of strings (tags): `undefined` and `null` mean an empty one; `{name} must be an
/// array`, or `{name}[i] must be a string` naming the first item that is not.
#[cfg(feature = "registry")]
pub(crate) fn string_array_arg(value: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    array_arg(value, name)?
        .iter()
        .enumerate()
        .map(|(i, item)| string_arg(&item, &format!("{name}[{i}]")))
        .collect()
}

/// An optional media type: absent, or a string the core parses (`MEDIA_TYPE_INVALID`).
pub(crate) fn media_type_arg(value: &JsValue, name: &str) -> Result<Option<MediaType>, JsValue> {
    optional_string_arg(value, name)?
        .map(|text| MediaType::parse(&text).map_err(thrown))
        .transpose()
}

/// Annotations: absent (none), or a plain object whose values are all strings.
pub(crate) fn annotations_arg(value: &JsValue, name: &str) -> Result<Annotations, JsValue> {
    if is_absent(value) {
        return Ok(Annotations::new());
    }
    // A Map is an object too, but its entries are not properties: refuse it rather than read {}.
    if !value.is_object() || Array::is_array(value) || value.is_instance_of::<js_sys::Map>() {
        return Err(type_error(&format!(
            "{name} must be a plain object of strings"
        )));
    }
    let mut annotations = Annotations::new();
    for entry in Object::entries(value.unchecked_ref::<Object>()).iter() {
        let entry: Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let text = entry
            .get(1)
            .as_string()
            .ok_or_else(|| type_error(&format!("{name}[{key:?}] must be a string")))?;
        annotations.insert(key, text);
    }
    Ok(annotations)
}

/// A descriptor given as JSON text (the npm entry serializes the caller's object), read by the
/// core; `path` is its JSON pointer in error messages.
pub(crate) fn descriptor_arg(
    value: &JsValue,
    name: &str,
    path: &str,
) -> Result<Descriptor, JsValue> {
    let text = string_arg(value, name)?;
    let json = ocikit_core::json::parse_strict(text.as_bytes()).map_err(thrown)?;
    Descriptor::from_value(&json, path).map_err(thrown)
}

/// A JS value from JSON text the core wrote (always valid JSON in UTF-8).
pub(crate) fn parse_json(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let text = std::str::from_utf8(bytes).map_err(|e| js_sys::Error::new(&e.to_string()))?;
    js_sys::JSON::parse(text)
}
