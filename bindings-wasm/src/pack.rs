//! `pack` and `packIndex`: options objects into [`ocikit_core::pack`], results into plain
//! objects with the manifest bytes as the core wrote them.

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::pack::{Blob, Config, Content, File, ImageSpec, Pack};
use ocikit_core::{Descriptor, Digest, Document};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::manifest::descriptors_to_js;
use crate::{annotations_arg, get, is_absent, media_type_arg, options_arg, set};

const PACK_OPTIONS: &[&str] = &[
    "files",
    "artifactType",
    "config",
    "configAnnotations",
    "annotations",
    "subject",
    "imageSpec",
    "created",
    "embedDataUpTo",
    "cliDefaults",
];
const FILE_OPTIONS: &[&str] = &["name", "mediaType", "data", "digest", "size", "annotations"];
const CONFIG_OPTIONS: &[&str] = &["mediaType", "data", "digest", "size"];
const INDEX_OPTIONS: &[&str] = &["manifests", "artifactType", "annotations", "subject"];

/// `pack(options)` → `{ manifest, digest, size, mediaType, descriptor, blobs }`.
///
/// The npm entry has already turned byte buffers into `Uint8Array`s and `subject` into JSON
/// text.
#[wasm_bindgen]
pub fn pack(options: &JsValue) -> Result<Object, JsValue> {
    options_arg(options, "options", PACK_OPTIONS)?;
    let option = |key: &str| get(options, key);

    let mut pack = Pack::new().spec(image_spec(&option("imageSpec")?)?);
    if let Some(artifact_type) = media_type_arg(&option("artifactType")?, "artifactType")? {
        pack = pack.artifact_type(artifact_type);
    }
    let config = option("config")?;
    if !is_absent(&config) {
        options_arg(&config, "options.config", CONFIG_OPTIONS)?;
        let media_type = media_type_arg(&get(&config, "mediaType")?, "config.mediaType")?
            .ok_or_else(|| crate::type_error("config.mediaType must be a string"))?;
        pack = pack.config(Config {
            media_type,
            content: content(&config, "options.config")?,
        });
    }
    pack = pack
        .config_annotations(annotations_arg(
            &option("configAnnotations")?,
            "configAnnotations",
        )?)
        .annotations(annotations_arg(&option("annotations")?, "annotations")?);
    let subject = option("subject")?;
    if !is_absent(&subject) {
        pack = pack.subject(crate::descriptor_arg(&subject, "subject", "/subject")?);
    }
    if let Some(created) = created(&option("created")?)? {
        pack = pack.created(created);
    }
    if let Some(max) = crate::size::optional_from_js(&option("embedDataUpTo")?, "embedDataUpTo")? {
        pack = pack.embed_data_up_to(max);
    }
    for (i, file) in crate::array_arg(&option("files")?, "files")?
        .iter()
        .enumerate()
    {
        pack = pack.file(file_arg(&file, &format!("options.files[{i}]"))?);
    }
    let cli_defaults = option("cliDefaults")?;
    let cli_defaults = if is_absent(&cli_defaults) {
        false
    } else {
        cli_defaults
            .as_bool()
            .ok_or_else(|| crate::type_error("cliDefaults must be a boolean"))?
    };
    if cli_defaults {
        pack = pack.with_cli_defaults();
    }

    let packed = pack.build().map_err(thrown)?;
    let descriptor = packed.manifest.descriptor();
    result(&packed.manifest, descriptor, packed.blobs)
}

/// `packIndex(options)` → the same shape as `pack`, for an image index (no blobs of its own:
/// the manifests it lists are uploaded as manifests).
///
/// `manifests` arrives as JSON text of an array of descriptors, `subject` as JSON text.
#[wasm_bindgen(js_name = packIndex)]
pub fn pack_index(options: &JsValue) -> Result<Object, JsValue> {
    options_arg(options, "options", INDEX_OPTIONS)?;
    let option = |key: &str| get(options, key);
    let manifests = option("manifests")?;
    let manifests = if is_absent(&manifests) {
        Vec::new()
    } else {
        let text = crate::string_arg(&manifests, "manifests")?;
        let value = ocikit_core::json::parse_strict(text.as_bytes()).map_err(thrown)?;
        let items = value
            .as_array()
            .ok_or_else(|| crate::type_error("manifests must be an array"))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Descriptor::from_value(item, &format!("/manifests/{i}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(thrown)?
    };
    let subject = option("subject")?;
    let subject = if is_absent(&subject) {
        None
    } else {
        Some(crate::descriptor_arg(&subject, "subject", "/subject")?)
    };
    let index = ocikit_core::pack::index(
        manifests,
        media_type_arg(&option("artifactType")?, "artifactType")?,
        annotations_arg(&option("annotations")?, "annotations")?,
        subject,
    )
    .map_err(thrown)?;
    let descriptor = index.descriptor();
    result(&index, descriptor, Vec::new())
}

fn image_spec(value: &JsValue) -> Result<ImageSpec, JsValue> {
    match crate::optional_string_arg(value, "imageSpec")?.as_deref() {
        None | Some("v1.1") => Ok(ImageSpec::V1_1),
        Some("v1.0") => Ok(ImageSpec::V1_0),
        // A string of another value is a wrong option, not a wrong JS type: a coded error.
        Some(_) => Err(thrown(ocikit_core::Error::OptionsInvalid {
            reason: r#"imageSpec must be "v1.1" or "v1.0""#,
        })),
    }
}

/// `created`: an RFC 3339 string (checked by the core), or a `Date`, written as Go's
/// `time.RFC3339` writes it (UTC, whole seconds — as ORAS does).
fn created(value: &JsValue) -> Result<Option<String>, JsValue> {
    if is_absent(value) {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    let Some(date) = value.dyn_ref::<js_sys::Date>() else {
        return Err(crate::type_error(
            "created must be an RFC 3339 string or a Date",
        ));
    };
    let millis = date.get_time();
    if !millis.is_finite() {
        return Err(crate::type_error("created is an invalid Date"));
    }
    // A valid Date is within ±8.64e15 ms of the epoch, so the seconds fit an i64 exactly.
    let seconds = (millis / 1000.0).floor() as i64;
    Ok(Some(ocikit_core::time::rfc3339_from_unix(seconds)))
}

fn file_arg(value: &JsValue, name: &str) -> Result<File, JsValue> {
    options_arg(value, name, FILE_OPTIONS)?;
    let file_name = crate::string_arg(&get(value, "name")?, &format!("{name}.name"))?;
    let mut file = match content(value, name)? {
        Content::Bytes(bytes) => File::from_bytes(file_name, bytes),
        Content::Digested { digest, size } => File::from_digest(file_name, digest, size),
    };
    if let Some(media_type) =
        media_type_arg(&get(value, "mediaType")?, &format!("{name}.mediaType"))?
    {
        file = file.with_media_type(media_type);
    }
    file.annotations =
        annotations_arg(&get(value, "annotations")?, &format!("{name}.annotations"))?;
    Ok(file)
}

/// A blob's content: `data`, or `digest` and `size` for content the caller uploads itself.
fn content(value: &JsValue, name: &str) -> Result<Content, JsValue> {
    let data = get(value, "data")?;
    let digest = get(value, "digest")?;
    let size = get(value, "size")?;
    match (is_absent(&data), is_absent(&digest), is_absent(&size)) {
        (false, true, true) => Ok(Content::Bytes(
            crate::bytes_arg(&data, &format!("{name}.data"))?.to_vec(),
        )),
        (true, false, false) => {
            let digest = crate::string_arg(&digest, &format!("{name}.digest"))?;
            // Present, as matched: `optional_from_js` only adds the range check.
            let size = crate::size::optional_from_js(&size, &format!("{name}.size"))?;
            Ok(Content::Digested {
                digest: Digest::parse(&digest).map_err(thrown)?,
                size: size.unwrap_or_default(),
            })
        }
        _ => Err(crate::type_error(&format!(
            "{name} needs either data, or digest and size"
        ))),
    }
}

/// The shared result shape of `pack` and `packIndex` (and of `indexCreate`, `indexUpdate`).
pub(crate) fn result<T>(
    document: &Document<T>,
    descriptor: Descriptor,
    blobs: Vec<Blob>,
) -> Result<Object, JsValue> {
    let media_type = descriptor.media_type.to_string();
    let (descriptors, data): (Vec<Descriptor>, Vec<Option<Vec<u8>>>) =
        std::iter::once((descriptor, None))
            .chain(blobs.into_iter().map(|blob| (blob.descriptor, blob.bytes)))
            .unzip();
    let descriptors = descriptors_to_js(descriptors)?;

    let result = Object::new();
    set(&result, "manifest", &Uint8Array::from(document.bytes()));
    set(&result, "digest", &document.digest().to_string().into());
    set(
        &result,
        "size",
        &crate::size::to_js(document.size())?.into(),
    );
    set(&result, "mediaType", &media_type.into());
    set(&result, "descriptor", &descriptors.get(0));
    let blobs: Array = data
        .into_iter()
        .enumerate()
        .skip(1)
        .map(|(i, bytes)| {
            let blob = Object::new();
            set(&blob, "descriptor", &descriptors.get(i as u32));
            if let Some(bytes) = bytes {
                set(&blob, "data", &Uint8Array::from(bytes.as_slice()));
            }
            JsValue::from(blob)
        })
        .collect();
    set(&result, "blobs", &blobs);
    Ok(result)
}
