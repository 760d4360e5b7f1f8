//! `indexPlatformConfig`, `indexCreate` and `indexUpdate`: collections (ORAS 1.3's `manifest
//! index create|update`) over children the host fetched, into
//! [`ocikit_core::registry::whole::index`]; results in the shape of `packIndex`. The npm
//! package's `Client.createIndex` / `Client.updateIndex` fetch the children and call these.
//! `backupTags`: which tags a backup or restore copies
//! ([`ocikit_core::registry::whole::backup`]), for the npm package's `backup` / `restore`;
//! `restorable` and `restored`: the restore's two checks of that module, a damaged layout
//! refused before any request and each tag checked at the destination after its copy.

use js_sys::{Array, Map, Object};
use ocikit_core::Digest;
use ocikit_core::registry::whole::backup::{
    Direction, Selection, restorable as restorable_check, restored as restored_check, select_tags,
};
use ocikit_core::registry::whole::index::{
    IndexUpdate, ResolvedChild, create_index, platform_config, update_index,
};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::manifest::descriptors_to_js;
use crate::{
    annotations_arg, array_arg, bytes_arg, get, is_absent, media_type_arg, optional_string_arg,
    options_arg, set, string_arg, string_array_arg,
};

const CHILD_FIELDS: &[&str] = &["mediaType", "bytes", "config"];
const CREATE_OPTIONS: &[&str] = &["artifactType", "annotations"];
const UPDATE_OPTIONS: &[&str] = &["add", "remove", "merge", "artifactType", "annotations"];

/// `children`: an array of `{ mediaType, bytes, config? }` (`config`: the bytes of the config
/// `indexPlatformConfig` named).
fn children(value: &JsValue, name: &str) -> Result<Vec<ResolvedChild>, JsValue> {
    if is_absent(value) {
        return Ok(Vec::new());
    }
    let list = array_arg(value, name)?;
    let mut children = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = format!("{name}[{i}]");
        options_arg(&item, &at, CHILD_FIELDS)?;
        let media_type = crate::string_arg(&get(&item, "mediaType")?, &format!("{at}.mediaType"))?;
        let bytes = bytes_arg(&get(&item, "bytes")?, &format!("{at}.bytes"))?.to_vec();
        let mut child = ResolvedChild::new(&media_type, bytes).map_err(thrown)?;
        let config = get(&item, "config")?;
        if !is_absent(&config) {
            child = child.with_config(bytes_arg(&config, &format!("{at}.config"))?.to_vec());
        }
        children.push(child);
    }
    Ok(children)
}

/// `indexPlatformConfig(mediaType, bytes)` → the descriptor of the config to read for a
/// child's platform (an image manifest's, at most 4 MiB, not the empty one), or `null`; a
/// document that is not a manifest or an index throws `MEDIA_TYPE_MISMATCH`.
#[wasm_bindgen(js_name = indexPlatformConfig)]
pub fn index_platform_config(media_type: &str, bytes: &[u8]) -> Result<JsValue, JsValue> {
    match platform_config(media_type, bytes).map_err(thrown)? {
        Some(config) => Ok(descriptors_to_js(vec![config])?.get(0)),
        None => Ok(JsValue::NULL),
    }
}

/// `indexCreate(children, { artifactType?, annotations? })` → the `packIndex` shape: an index
/// over the fetched children in their order, each entry with its `artifactType` and, for an
/// image whose config says it, its `platform`.
#[wasm_bindgen(js_name = indexCreate)]
pub fn index_create(children_value: &JsValue, options: &JsValue) -> Result<Object, JsValue> {
    options_arg(options, "options", CREATE_OPTIONS)?;
    let children = children(children_value, "children")?;
    let index = create_index(
        &children,
        media_type_arg(&get(options, "artifactType")?, "artifactType")?,
        annotations_arg(&get(options, "annotations")?, "annotations")?,
    )
    .map_err(thrown)?;
    let descriptor = index.descriptor();
    crate::pack::result(&index, descriptor, Vec::new())
}

/// `indexUpdate(mediaType, bytes, { add?, remove?, merge?, artifactType?, annotations? })` →
/// the `packIndex` shape: the index with the entries of each `remove` digest gone (each must be
/// listed: `DIGEST_INVALID`), the others in their order, the `add` children appended, then the
/// entries of each `merge` index (`{ mediaType, bytes }`) as they are; an
/// `artifactType` given replaces it (`null` or `""` removes it).
#[wasm_bindgen(js_name = indexUpdate)]
pub fn index_update(media_type: &str, bytes: &[u8], options: &JsValue) -> Result<Object, JsValue> {
    options_arg(options, "options", UPDATE_OPTIONS)?;
    let remove = get(options, "remove")?;
    let remove = if is_absent(&remove) {
        Vec::new()
    } else {
        array_arg(&remove, "remove")?
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let text = crate::string_arg(&d, &format!("remove[{i}]"))?;
                ocikit_core::Digest::parse(&text).map_err(thrown)
            })
            .collect::<Result<Vec<_>, JsValue>>()?
    };
    // Absent or `undefined` keeps the artifact type (the package's rule for an `undefined`
    // field, as Python's update_index without the argument); `null` or `""` removes it.
    let artifact_type = get(options, "artifactType")?;
    let has_type = !artifact_type.is_undefined();
    let update = IndexUpdate {
        add: children(&get(options, "add")?, "add")?,
        remove,
        merge: children(&get(options, "merge")?, "merge")?,
        artifact_type: match has_type {
            true if is_absent(&artifact_type)
                || artifact_type.as_string().as_deref() == Some("") =>
            {
                Some(None)
            }
            true => Some(media_type_arg(&artifact_type, "artifactType")?),
            false => None,
        },
        annotations: annotations_arg(&get(options, "annotations")?, "annotations")?,
    };
    let index = update_index(media_type, bytes, &update).map_err(thrown)?;
    let descriptor = index.descriptor();
    crate::pack::result(&index, descriptor, Vec::new())
}

/// `backupTags(reference, listed, layout)` → `{ repository, tags }`: the tags a backup
/// (`layout` absent) or a restore of the layout named `layout` copies for `reference`
/// (`REGISTRY/REPOSITORY[:TAG[,TAG…]]`), given the tags `listed` (an array of strings; absent:
/// not listed yet). `tags` is `null` when no tag is named and none was listed: list the
/// repository's tags and ask again. Throws `REFERENCE_INVALID` (an empty tag after a comma, a
/// backup of a digest, a reference that breaks the grammar) and `MANIFEST_UNKNOWN` (nothing to
/// copy).
#[wasm_bindgen(js_name = backupTags)]
pub fn backup_tags(
    reference: &JsValue,
    listed: &JsValue,
    layout: &JsValue,
) -> Result<Object, JsValue> {
    let reference = string_arg(reference, "reference")?;
    let listed = if is_absent(listed) {
        None
    } else {
        Some(string_array_arg(listed, "listed")?)
    };
    let direction = match optional_string_arg(layout, "layout")? {
        Some(layout) => Direction::Restore { layout },
        None => Direction::Backup,
    };
    let (repository, tags) =
        match select_tags(&direction, &reference, listed.as_deref()).map_err(thrown)? {
            Selection::Tags { repository, tags } => (
                repository,
                tags.iter()
                    .map(|tag| JsValue::from_str(tag))
                    .collect::<Array>()
                    .into(),
            ),
            Selection::ListTags { repository } => (repository, JsValue::NULL),
        };
    let result = Object::new();
    set(&result, "repository", &JsValue::from_str(&repository));
    set(&result, "tags", &tags);
    Ok(result)
}

/// `restorable(files, layout)` → `undefined`, or throws the core's refusal of a restore from
/// the layout whose files are `files` (a `Map` of path → `Uint8Array`), named `layout` in the
/// message: the layout is verified (`ocikit_core::layout::verify`) and its first error finding's code
/// (`DIGEST_MISMATCH`, `SIZE_MISMATCH`, `BLOB_MISSING`, …) thrown, with `details.path`.
#[wasm_bindgen(js_name = restorable)]
pub fn restorable(files: &Map, layout: &JsValue) -> Result<(), JsValue> {
    let layout = string_arg(layout, "layout")?;
    restorable_check(&layout, &crate::layout::verify_files(files)).map_err(thrown)
}

/// `restored(reference, expected, served)` → `undefined`, or throws the core's
/// `DIGEST_MISMATCH` (`details`: `expected`, `actual`) when the tag `reference` a restore copied
/// names `served` at the destination rather than `expected`, the layout's digest.
#[wasm_bindgen(js_name = restored)]
pub fn restored(reference: &JsValue, expected: &JsValue, served: &JsValue) -> Result<(), JsValue> {
    let reference = string_arg(reference, "reference")?;
    let expected = Digest::parse(&string_arg(expected, "expected")?).map_err(thrown)?;
    let served = Digest::parse(&string_arg(served, "served")?).map_err(thrown)?;
    restored_check(&reference, &expected, &served).map_err(thrown)
}
