//! `parseManifest`, `parseIndex`, `encodeManifest`, `encodeIndex`, and the conversion of core
//! documents and descriptors into plain JS objects.
//!
//! A plain object handed to JS is the core's canonical JSON of the typed value read back with
//! `JSON.parse`: JSON field names, image-spec Go field order, unknown fields kept (after the
//! known ones). Before that, every number in the value is checked to fit a JS number exactly,
//! so that nothing is rounded on the way (`exact`).

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::{Descriptor, Document, Index, Manifest};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{parse_json, set};

/// `parseManifest(bytes)` → `{ manifest, digest, size, bytes }`.
#[wasm_bindgen(js_name = parseManifest)]
pub fn parse_manifest(data: &JsValue) -> Result<Object, JsValue> {
    let bytes = crate::bytes_arg(data, "bytes")?.to_vec();
    let document = Manifest::from_json(bytes).map_err(thrown)?;
    exact::manifest(document.value())?;
    parsed("manifest", &document.value().to_json(), &document)
}

/// `referrerDescriptor(bytes)`: the descriptor under which the referrers API lists the manifest
/// (its artifactType, else its config's media type, and its annotations).
#[wasm_bindgen(js_name = referrerDescriptor)]
pub fn referrer_descriptor(data: &JsValue) -> Result<JsValue, JsValue> {
    let bytes = crate::bytes_arg(data, "bytes")?.to_vec();
    let document = Manifest::from_json(bytes).map_err(thrown)?;
    Ok(descriptors_to_js(vec![document.referrer_descriptor()])?.get(0))
}

/// `parseIndex(bytes)` → `{ index, digest, size, bytes }`.
#[wasm_bindgen(js_name = parseIndex)]
pub fn parse_index(data: &JsValue) -> Result<Object, JsValue> {
    let bytes = crate::bytes_arg(data, "bytes")?.to_vec();
    let document = Index::from_json(bytes).map_err(thrown)?;
    exact::index(document.value())?;
    parsed("index", &document.value().to_json(), &document)
}

/// `encodeManifest(json)`: the canonical bytes of the manifest the JSON text describes.
#[wasm_bindgen(js_name = encodeManifest)]
pub fn encode_manifest(text: &JsValue) -> Result<Uint8Array, JsValue> {
    let text = crate::string_arg(text, "manifest")?;
    let document = Manifest::from_json(text.into_bytes()).map_err(thrown)?;
    Ok(document.value().to_json().as_slice().into())
}

/// `encodeIndex(json)`: the canonical bytes of the index the JSON text describes.
#[wasm_bindgen(js_name = encodeIndex)]
pub fn encode_index(text: &JsValue) -> Result<Uint8Array, JsValue> {
    let text = crate::string_arg(text, "index")?;
    let document = Index::from_json(text.into_bytes()).map_err(thrown)?;
    Ok(document.value().to_json().as_slice().into())
}

/// The result of a parse: the plain object under `key`, and digest, size and bytes of the
/// document exactly as given.
fn parsed<T>(key: &str, canonical: &[u8], document: &Document<T>) -> Result<Object, JsValue> {
    let result = Object::new();
    set(&result, key, &parse_json(canonical)?);
    set(&result, "digest", &document.digest().to_string().into());
    set(
        &result,
        "size",
        &crate::size::to_js(document.size())?.into(),
    );
    set(&result, "bytes", &Uint8Array::from(document.bytes()));
    Ok(result)
}

/// Descriptors as plain objects, in the core's canonical encoding.
pub(crate) fn descriptors_to_js(descriptors: Vec<Descriptor>) -> Result<Array, JsValue> {
    for (i, descriptor) in descriptors.iter().enumerate() {
        exact::descriptor(descriptor, &format!("/{i}"))?;
    }
    let list = Array::new();
    for descriptor in &descriptors {
        list.push(&parse_json(&descriptor.to_json())?);
    }
    Ok(list)
}

/// Checks that every number of a typed document fits a JS number exactly: sizes up to
/// `Number.MAX_SAFE_INTEGER`, and integers in unknown fields within the same range (floats are
/// read by `JSON.parse` into the very f64 the core holds). A `RangeError` otherwise.
pub(crate) mod exact {
    use super::*;
    use crate::size::MAX_SAFE_INTEGER;

    fn too_large(path: &str, value: &dyn std::fmt::Display) -> JsValue {
        js_sys::RangeError::new(&format!(
            "{path} is {value}, beyond Number.MAX_SAFE_INTEGER: a JS number cannot hold it exactly"
        ))
        .into()
    }

    pub(crate) fn manifest(manifest: &Manifest) -> Result<(), JsValue> {
        descriptor(&manifest.config, "/config")?;
        for (i, layer) in manifest.layers.iter().enumerate() {
            descriptor(layer, &format!("/layers/{i}"))?;
        }
        if let Some(subject) = &manifest.subject {
            descriptor(subject, "/subject")?;
        }
        fields(&manifest.extra, "")
    }

    pub(crate) fn index(index: &Index) -> Result<(), JsValue> {
        for (i, entry) in index.manifests.iter().enumerate() {
            descriptor(entry, &format!("/manifests/{i}"))?;
        }
        if let Some(subject) = &index.subject {
            descriptor(subject, "/subject")?;
        }
        fields(&index.extra, "")
    }

    pub(crate) fn descriptor(descriptor: &Descriptor, path: &str) -> Result<(), JsValue> {
        if descriptor.size > MAX_SAFE_INTEGER {
            return Err(too_large(&format!("{path}/size"), &descriptor.size));
        }
        if let Some(platform) = &descriptor.platform {
            fields(&platform.extra, &format!("{path}/platform"))?;
        }
        fields(&descriptor.extra, path)
    }

    fn fields(extra: &Map<String, Value>, path: &str) -> Result<(), JsValue> {
        extra
            .iter()
            .try_for_each(|(key, item)| value(item, &pointer(path, key)))
    }

    fn value(item: &Value, path: &str) -> Result<(), JsValue> {
        match item {
            Value::Number(number) => {
                let exact = match (number.as_u64(), number.as_i64()) {
                    (Some(n), _) => n <= MAX_SAFE_INTEGER,
                    (None, Some(n)) => n.unsigned_abs() <= MAX_SAFE_INTEGER,
                    (None, None) => true,
                };
                if exact {
                    Ok(())
                } else {
                    Err(too_large(path, number))
                }
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| value(item, &format!("{path}/{i}"))),
            Value::Object(map) => fields(map, path),
            Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
        }
    }

    /// `path` + `/key` as a JSON pointer (RFC 6901 escapes).
    fn pointer(path: &str, key: &str) -> String {
        format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"))
    }
}
