//! `parseMediaType`, `lintMediaType`, `isIndexType` and `isManifestType`.

use js_sys::{Array, Object};
use ocikit_core::{Finding, MediaType, Role};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{set, string_arg, string_or_null};

fn media_type_arg(value: &JsValue) -> Result<MediaType, JsValue> {
    MediaType::parse(&string_arg(value, "mediaType")?).map_err(thrown)
}

/// `parseMediaType(s)` → `{ type, subtype, tree, suffix, specDefined, artifact }`, where
/// `artifact` is `{ org, objectType, subTypes, role, version, format }` or `null` when the name
/// does not follow the artifact naming convention.
#[wasm_bindgen(js_name = parseMediaType)]
pub fn parse_media_type(text: &JsValue) -> Result<Object, JsValue> {
    let media_type = media_type_arg(text)?;
    let parts = Object::new();
    set(&parts, "type", &media_type.type_name().into());
    set(&parts, "subtype", &media_type.subtype().into());
    set(&parts, "tree", &media_type.tree().facet().into());
    set(&parts, "suffix", &string_or_null(media_type.suffix()));
    set(&parts, "specDefined", &media_type.is_spec_defined().into());
    let artifact = media_type.artifact().map_or(JsValue::NULL, |name| {
        let artifact = Object::new();
        set(&artifact, "org", &name.org.as_str().into());
        set(&artifact, "objectType", &name.object_type.as_str().into());
        let sub_types: Array = name
            .sub_types
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect();
        set(&artifact, "subTypes", &sub_types);
        set(&artifact, "role", &name.role.as_str().into());
        set(
            &artifact,
            "version",
            &string_or_null(name.version.as_deref()),
        );
        set(&artifact, "format", &string_or_null(name.format.as_deref()));
        artifact.into()
    });
    set(&parts, "artifact", &artifact);
    Ok(parts)
}

/// `lintMediaType(s, role?)` → `[{ code, severity, path, message, rule }]`; `role` is
/// `"config"` or `"layer"` (absent: taken from the name).
#[wasm_bindgen(js_name = lintMediaType)]
pub fn lint_media_type(text: &JsValue, role: &JsValue) -> Result<Array, JsValue> {
    let media_type = media_type_arg(text)?;
    let role = match crate::optional_string_arg(role, "role")? {
        None => None,
        Some(name) => Some(
            Role::parse(&name)
                .ok_or_else(|| crate::type_error("role must be \"config\" or \"layer\""))?,
        ),
    };
    Ok(media_type.lint(role).iter().map(finding_to_js).collect())
}

/// A finding as a plain object; validation reports will share this shape.
pub(crate) fn finding_to_js(finding: &Finding) -> JsValue {
    let object = Object::new();
    set(&object, "code", &finding.code.into());
    set(&object, "severity", &finding.severity.as_str().into());
    set(&object, "path", &finding.path.as_str().into());
    set(&object, "message", &finding.message.as_str().into());
    set(&object, "rule", &finding.rule.into());
    object.into()
}

/// Whether `mediaType` is an index (OCI image index, Docker manifest list).
#[wasm_bindgen(js_name = isIndexType)]
pub fn is_index_type(media_type: &JsValue) -> Result<bool, JsValue> {
    Ok(ocikit_core::registry::walk::is_index_type(&string_arg(
        media_type,
        "mediaType",
    )?))
}

/// Whether `mediaType` is a manifest or index type ocikit reads (OCI and Docker).
#[wasm_bindgen(js_name = isManifestType)]
pub fn is_manifest_type(media_type: &JsValue) -> Result<bool, JsValue> {
    Ok(ocikit_core::registry::walk::is_manifest_type(&string_arg(
        media_type,
        "mediaType",
    )?))
}
