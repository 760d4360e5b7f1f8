//! `_pack`, `_pack_index` and `check_title`: wrappers of `ocikit_core::pack`.
//!
//! The public `ocikit.pack` (python/ocikit/_pack.py) turns its `File` and `Config` objects into
//! the plain arguments these functions take, and the result back into `Packed` and `Blob`.

use crate::text::{Text, TextMap, str_of};
use ocikit_core::pack::{Config, Content, File, ImageSpec, Pack, index as core_index};
use ocikit_core::time::rfc3339_from_unix;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyString, PyTuple};

use crate::buffer::ByteView;
use crate::descriptor::{PyDescriptor, media_type_arg, size_arg};
use crate::digest::{digest_arg, type_name};
use crate::errors::OrRaise;
use crate::manifest::{PyIndex, PyManifest};

/// A file for `_pack`: `(name, media_type, content, annotations)`.
type FileArg<'py> = (Text, Option<Text>, Bound<'py, PyAny>, Option<TextMap>);

/// A packed blob for Python: its descriptor and its bytes, when ocikit has them.
type BlobResult<'py> = (PyDescriptor, Option<Bound<'py, PyBytes>>);

/// Packs files into an artifact manifest (core `Pack`). `content` of a file or of the config
/// is a buffer of its bytes or a `(digest, size)` tuple; `created` is an RFC 3339 str or
/// seconds since the Unix epoch (an int, formatted by the core).
#[pyfunction]
#[pyo3(name = "_pack", signature = (
    files,
    *,
    artifact_type = None,
    config = None,
    config_annotations = None,
    annotations = None,
    subject = None,
    image_spec = Text::from("v1.1"),
    created = None,
    embed_data_up_to = None,
    cli_defaults = false,
    disable_path_validation = false,
))]
#[allow(clippy::too_many_arguments)] // pack's options, as keywords
pub(crate) fn pack<'py>(
    py: Python<'py>,
    files: Vec<FileArg<'py>>,
    artifact_type: Option<Text>,
    config: Option<(Text, Bound<'py, PyAny>)>,
    config_annotations: Option<TextMap>,
    annotations: Option<TextMap>,
    subject: Option<PyDescriptor>,
    image_spec: Text,
    created: Option<Bound<'py, PyAny>>,
    embed_data_up_to: Option<u64>,
    cli_defaults: bool,
    disable_path_validation: bool,
) -> PyResult<(PyManifest, Vec<BlobResult<'py>>)> {
    let mut builder = Pack::new().spec(match &*image_spec {
        "v1.1" => ImageSpec::V1_1,
        "v1.0" => ImageSpec::V1_0,
        other => {
            return Err(PyValueError::new_err(format!(
                "image_spec must be 'v1.1' or 'v1.0', not {other:?}"
            )));
        }
    });
    for (name, media_type, content, file_annotations) in files {
        let mut file = match content_arg(py, &content)? {
            Content::Bytes(bytes) => File::from_bytes(name.0, bytes),
            Content::Digested { digest, size } => File::from_digest(name.0, digest, size),
        };
        if let Some(media_type) = media_type {
            file = file.with_media_type(media_type_arg(py, &media_type)?);
        }
        file.annotations = file_annotations.unwrap_or_default().0;
        builder = builder.file(file);
    }
    if let Some(artifact_type) = artifact_type {
        builder = builder.artifact_type(media_type_arg(py, &artifact_type)?);
    }
    if let Some((media_type, content)) = config {
        builder = builder.config(Config {
            media_type: media_type_arg(py, &media_type)?,
            content: content_arg(py, &content)?,
        });
    }
    builder = builder
        .config_annotations(config_annotations.unwrap_or_default().0)
        .annotations(annotations.unwrap_or_default().0);
    if let Some(subject) = subject {
        builder = builder.subject(subject.0);
    }
    if let Some(created) = created {
        builder = builder.created(created_arg(&created)?);
    }
    if let Some(max) = embed_data_up_to {
        builder = builder.embed_data_up_to(max);
    }
    if cli_defaults {
        builder = builder.with_cli_defaults();
    }
    if disable_path_validation {
        builder = builder.disable_path_validation();
    }
    let packed = builder.build().or_raise(py)?;
    let blobs = packed
        .blobs
        .into_iter()
        .map(|blob| {
            let bytes = blob.bytes.map(|bytes| PyBytes::new(py, &bytes));
            (PyDescriptor(blob.descriptor), bytes)
        })
        .collect();
    Ok((PyManifest(packed.manifest), blobs))
}

/// Builds an image index of manifest descriptors (core `pack::index`).
#[pyfunction]
#[pyo3(name = "_pack_index", signature = (manifests, *, artifact_type = None, annotations = None, subject = None))]
pub(crate) fn pack_index(
    py: Python<'_>,
    manifests: Vec<PyDescriptor>,
    artifact_type: Option<Text>,
    annotations: Option<TextMap>,
    subject: Option<PyDescriptor>,
) -> PyResult<PyIndex> {
    core_index(
        manifests.into_iter().map(|d| d.0).collect(),
        artifact_type
            .as_deref()
            .map(|t| media_type_arg(py, t))
            .transpose()?,
        annotations.unwrap_or_default().0,
        subject.map(|d| d.0),
    )
    .map(PyIndex)
    .or_raise(py)
}

/// Checks that `title` can be written back as a file by a pull: a relative path that stays
/// inside the target directory, that every OS can create, and (unless `allow_git`) without a
/// `.git` component (`PATH_UNSAFE`).
#[pyfunction]
#[pyo3(signature = (title, *, allow_git = false))]
pub(crate) fn check_title(py: Python<'_>, title: Text, allow_git: bool) -> PyResult<()> {
    ocikit_core::pack::check_pulled_title(&title, allow_git).or_raise(py)
}

/// A blob's content: a buffer of its bytes, or a `(digest, size)` tuple.
fn content_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Content> {
    if let Ok(pair) = obj.cast::<PyTuple>() {
        let (digest, size): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
        return Ok(Content::Digested {
            digest: digest_arg(py, &digest)?,
            size: size_arg(py, &size)?,
        });
    }
    Ok(Content::Bytes(ByteView::new(obj)?.as_slice().to_vec()))
}

/// `created`: an RFC 3339 str, or whole seconds since the Unix epoch.
fn created_arg(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(str_of(text)?.to_owned());
    }
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return Ok(rfc3339_from_unix(obj.extract::<i64>()?));
    }
    Err(PyTypeError::new_err(format!(
        "created must be an RFC 3339 str or Unix seconds (int), not {}",
        type_name(obj)
    )))
}
