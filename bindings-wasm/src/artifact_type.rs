//! `artifactTypes`, `registerArtifactType`, `describe` and `checkLogo`.
//!
//! The catalog is the core's built-in one plus the definitions registered at run time. It lives
//! in this module instance (one per loaded wasm module, shared by the package's entries in a
//! realm), like a module-level variable of the npm package.

use std::cell::RefCell;

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::{ArtifactTypeDefinition, Catalog, Manifest};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{parse_json, set};

thread_local! {
    // wasm32-unknown-unknown without threads: one catalog per module instance.
    static CATALOG: RefCell<Catalog> = RefCell::new(Catalog::builtin());
}

fn definition_to_js(definition: &ArtifactTypeDefinition) -> Result<JsValue, JsValue> {
    parse_json(&definition.to_json())
}

/// `artifactTypes()` → every definition as a plain object, built-in ones first, then the
/// registered ones in registration order.
#[wasm_bindgen(js_name = artifactTypes)]
pub fn artifact_types() -> Result<Array, JsValue> {
    CATALOG.with_borrow(|catalog| catalog.definitions().iter().map(definition_to_js).collect())
}

/// `registerArtifactType(json)`: checks a definition (JSON text) and adds it to the catalog,
/// replacing any with the same artifact type; later definitions win over earlier ones and
/// over built-in ones when they share an alias. Returns the definition as read.
#[wasm_bindgen(js_name = registerArtifactType)]
pub fn register_artifact_type(text: &JsValue) -> Result<JsValue, JsValue> {
    let text = crate::string_arg(text, "definition")?;
    let definition = ArtifactTypeDefinition::from_json(text.as_bytes()).map_err(thrown)?;
    let object = definition_to_js(&definition)?;
    CATALOG.with_borrow_mut(|catalog| catalog.register(definition));
    Ok(object)
}

/// `describe(manifest)` → `{ artifactType, source, definition }`, where `manifest` is the
/// manifest's bytes (a `Uint8Array`) or its JSON text, and `definition` is `null` for a type
/// the catalog does not know.
#[wasm_bindgen]
pub fn describe(manifest: &JsValue) -> Result<Object, JsValue> {
    let bytes = if let Some(text) = manifest.as_string() {
        text.into_bytes()
    } else if let Some(bytes) = manifest.dyn_ref::<Uint8Array>() {
        bytes.to_vec()
    } else {
        return Err(crate::type_error(
            "manifest must be a Uint8Array or a manifest object",
        ));
    };
    let document = Manifest::from_json(bytes).map_err(thrown)?;
    CATALOG.with_borrow(|catalog| {
        let description = catalog.describe(document.value());
        let object = Object::new();
        set(&object, "artifactType", &description.artifact_type.into());
        set(&object, "source", &description.source.into());
        let definition = match description.definition {
            Some(definition) => definition_to_js(definition)?,
            None => JsValue::NULL,
        };
        set(&object, "definition", &definition);
        Ok(object)
    })
}

/// `checkLogo(svg)`: throws `LOGO_INVALID`, `LOGO_UNSAFE` or `LOGO_TOO_LARGE` unless the SVG
/// is safe to show in a page.
#[wasm_bindgen(js_name = checkLogo)]
pub fn check_logo(svg: &JsValue) -> Result<(), JsValue> {
    ocikit_core::artifact_type::check_logo(&crate::string_arg(svg, "svg")?).map_err(thrown)
}

/// `lookupArtifactType(mediaType)` → the catalog's definition for an artifact type or one of
/// its aliases (registered definitions first), or `null`.
#[wasm_bindgen(js_name = lookupArtifactType)]
pub fn lookup_artifact_type(media_type: &JsValue) -> Result<JsValue, JsValue> {
    let media_type = crate::string_arg(media_type, "mediaType")?;
    CATALOG.with_borrow(|catalog| match catalog.get(&media_type) {
        Some(definition) => definition_to_js(definition),
        None => Ok(JsValue::NULL),
    })
}

/// `classifyTag(tag)` → `{ kind, subject }`: `kind` is `tag`, `referrers` (a referrers-tag
/// schema index, `sha256-<hex>`), `signature`, `attestation` or `sbom` (cosign's
/// `sha256-<hex>.sig` / `.att` / `.sbom`); `subject` the digest the name spells, or `null`.
#[wasm_bindgen(js_name = classifyTag)]
pub fn classify_tag(tag: &JsValue) -> Result<Object, JsValue> {
    let tag = crate::string_arg(tag, "tag")?;
    let class = ocikit_core::artifact_type::classify_tag(&tag);
    let object = Object::new();
    set(&object, "kind", &class.kind.as_str().into());
    let subject = match class.subject {
        Some(digest) => digest.to_string().into(),
        None => JsValue::NULL,
    };
    set(&object, "subject", &subject);
    Ok(object)
}

/// `pullCommands(reference, artifactType?)` → the commands that fetch the artifact: the
/// type's templates filled from the reference, or `oras pull <reference>`.
#[wasm_bindgen(js_name = pullCommands)]
pub fn pull_commands(reference: &JsValue, artifact_type: &JsValue) -> Result<Array, JsValue> {
    let reference = crate::string_arg(reference, "reference")?;
    let reference = ocikit_core::Reference::parse(&reference).map_err(thrown)?;
    let artifact_type = if artifact_type.is_undefined() || artifact_type.is_null() {
        None
    } else {
        Some(crate::string_arg(artifact_type, "artifactType")?)
    };
    CATALOG.with_borrow(|catalog| {
        let definition = artifact_type.as_deref().and_then(|t| catalog.get(t));
        Ok(
            ocikit_core::artifact_type::pull_commands(definition, &reference)
                .into_iter()
                .map(JsValue::from)
                .collect(),
        )
    })
}
