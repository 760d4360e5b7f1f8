//! `parseReference`.

use js_sys::Object;
use ocikit_core::Reference;
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{set, string_or_null};

/// `parseReference(s, registry?)` → `{ registry, repository, tag, digest }` for
/// `registry/repository[:tag][@digest]`; `tag` and `digest` are `null` when absent. With
/// `registry` (`host[:port]`), `s` may be relative to it, as a client of that registry reads
/// it ([`Reference::parse_relative`]): `docs/app:v1` is `registry/docs/app:v1`.
#[wasm_bindgen(js_name = parseReference)]
pub fn parse_reference(text: &JsValue, registry: &JsValue) -> Result<Object, JsValue> {
    let text = crate::string_arg(text, "reference")?;
    let reference = if crate::is_absent(registry) {
        Reference::parse(&text)
    } else {
        Reference::parse_relative(&text, &crate::string_arg(registry, "registry")?)
    }
    .map_err(thrown)?;
    let parts = Object::new();
    set(&parts, "registry", &reference.registry().into());
    set(&parts, "repository", &reference.repository().into());
    set(&parts, "tag", &string_or_null(reference.tag()));
    let digest = reference.digest().map(ToString::to_string);
    set(&parts, "digest", &string_or_null(digest.as_deref()));
    Ok(parts)
}
